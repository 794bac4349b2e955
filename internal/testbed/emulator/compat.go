package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
)

// compat is a reverse proxy in front of moto that mends the few answers the
// AWS SDK for Go cannot read: moto gives a task's containers a numeric "cpu",
// where the ECS API (and so the SDK) has a string.
type compat struct {
	srv *http.Server
	url string
}

func startCompat(target string) (*compat, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if !strings.HasPrefix(resp.Request.Header.Get("X-Amz-Target"), "AmazonEC2ContainerService") {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		body = mendECS(body)
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	c := &compat{srv: &http.Server{Handler: proxy}, url: "http://" + l.Addr().String()}
	go func() { _ = c.srv.Serve(l) }()
	return c, nil
}

// mendECS turns a task's numeric cpu and memory values (and its containers')
// into the strings the ECS API has; other bodies pass unchanged.
func mendECS(body []byte) []byte {
	if !bytes.Contains(body, []byte(`"task`)) {
		return body
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return body
	}
	if tasks, ok := doc["tasks"].([]any); ok {
		for _, t := range tasks {
			mendTask(t)
		}
	}
	mendTask(doc["task"])
	out, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return out
}

func mendTask(v any) {
	task, ok := v.(map[string]any)
	if !ok {
		return
	}
	stringify(task, "cpu", "memory")
	if cs, ok := task["containers"].([]any); ok {
		for _, c := range cs {
			if m, ok := c.(map[string]any); ok {
				stringify(m, "cpu", "memory", "memoryReservation")
			}
		}
	}
}

func stringify(m map[string]any, keys ...string) {
	for _, k := range keys {
		if n, ok := m[k].(json.Number); ok {
			m[k] = n.String()
		}
	}
}

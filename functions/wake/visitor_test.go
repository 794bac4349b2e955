package main

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// A visitor does what a browser on the wait page does: it opens its page,
// then polls the status the way the page's script does — following the
// status answer's "next" (URL and delay) when there is one, else today's
// fixed rhythm (1 s, 0.5 s once the task runs) — and goes to the app once
// the state is ready. It records every answer.
type visitor struct {
	base    string // the front's URL
	path    string // the page it opens, e.g. /s00/page?v=3
	service string
	ua      string
	client  *http.Client
}

type visitResult struct {
	service     string
	arrived     time.Time
	ready       time.Time // when it was sent to the app (zero: never)
	location    string
	failed      string
	polls       int
	tokenPolls  int       // polls that carried a signed token
	lastNoToken time.Time // the last poll that carried none
	codes       map[int]int
	pageFaults  int    // 5xx answers to the page itself: the visitor sees API Gateway's error
	pollFaults  int    // 5xx answers to a status poll: the page's script retries after a back-off
	last        string // the last status it saw, for failure messages
}

const browserUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"

var (
	statusAttr = regexp.MustCompile(`data-status="([^"]*)"`)
	afterAttr  = regexp.MustCompile(`data-after="(\d+)"`)
)

type statusAnswer struct {
	State    string `json:"state"`
	Stage    string `json:"stage"`
	Location string `json:"location"`
	Next     *struct {
		URL     string `json:"url"`
		AfterMs int    `json:"afterMs"`
	} `json:"next"`
}

func (v visitor) visit(ctx context.Context) visitResult {
	res := visitResult{service: v.service, arrived: time.Now(), codes: map[int]int{}}
	for ctx.Err() == nil {
		code, body, loc := v.get(ctx, v.path, "text/html,application/xhtml+xml")
		res.count(code)
		if code >= 500 {
			res.pageFaults++
		}
		switch {
		case code == http.StatusTemporaryRedirect:
			res.ready, res.location = time.Now(), loc
			return res
		case code != http.StatusOK:
			pause(ctx, 2*time.Second) // a person reloads the page
			continue
		}
		m := statusAttr.FindStringSubmatch(body)
		if m == nil {
			res.failed = "the page has no status URL"
			return res
		}
		url, after := html.UnescapeString(m[1]), 1000
		if a := afterAttr.FindStringSubmatch(body); a != nil {
			after, _ = strconv.Atoi(a[1])
		}
		if v.poll(ctx, &res, url, after) {
			return res
		}
	}
	return res
}

// poll follows the status until ready or failed (true), or until the page must reload (false).
func (v visitor) poll(ctx context.Context, res *visitResult, url string, after int) bool {
	backoff := 1000
	for ctx.Err() == nil {
		if !pause(ctx, time.Duration(after)*time.Millisecond) {
			return true
		}
		code, body, _ := v.get(ctx, url, "application/json")
		res.count(code)
		res.polls++
		if code >= 500 {
			res.pollFaults++
		}
		if strings.Contains(url, "&t=") || strings.Contains(url, "?t=") {
			res.tokenPolls++
		} else {
			res.lastNoToken = time.Now()
		}
		if code != http.StatusOK {
			backoff = min(backoff*2, 10000)
			after = backoff
			continue
		}
		var st statusAnswer
		if json.Unmarshal([]byte(body), &st) != nil {
			res.failed = "the status is not JSON"
			return true
		}
		res.last = body
		switch st.State {
		case "ready":
			res.ready, res.location = time.Now(), st.Location
			return true
		case "failed":
			res.failed = "the wake failed"
			return true
		case "asleep":
			return false
		}
		if st.Next != nil {
			url, after = st.Next.URL, st.Next.AfterMs
			continue
		}
		after = 1000
		if st.Stage == "starting-app" {
			after = 500
		}
	}
	return true
}

func (v visitor) get(ctx context.Context, path, accept string) (int, string, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.base+path, nil)
	if err != nil {
		return 0, "", ""
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", v.ua)
	resp, err := v.client.Do(req)
	if err != nil {
		return 0, "", ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(body), resp.Header.Get("Location")
}

func (r *visitResult) count(code int) {
	r.codes[code]++
}

// pause waits d or until ctx ends; it reports whether ctx is still live.
func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

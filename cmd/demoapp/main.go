// Command demoapp is the app the local stack runs as a "Fargate task": it
// takes a few seconds before it listens (as a container starting up), serves
// a page that shows the path and query it was asked for and a health path,
// and counts the bytes it receives and sends for the stand-in's Container
// Insights numbers.
package main

import (
	"flag"
	"fmt"
	"html"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on, once started")
	delay := flag.Duration("startup-delay", 3*time.Second, "time before the app listens at all")
	health := flag.String("health-path", "/healthz", "path that answers 200 once started")
	name := flag.String("name", "demo-app", "name shown on the page")
	stats := flag.String("stats-file", "", "file to write \"received sent\" byte counts to, every second")
	exitAfter := flag.Duration("exit-after", 0, "exit by itself after this long (a crashing app); 0: never")
	exitCode := flag.Int("exit-code", 1, "exit code with -exit-after")
	flag.Parse()

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	if *exitAfter > 0 {
		go func() {
			time.Sleep(*exitAfter)
			fmt.Fprintf(os.Stderr, "demoapp: exiting with code %d, as asked\n", *exitCode)
			os.Exit(*exitCode)
		}()
	}
	select {
	case <-time.After(*delay):
	case <-stop:
		return
	}

	l, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "demoapp:", err)
		os.Exit(1)
	}
	counted := &countingListener{Listener: l}
	started := time.Now()
	mux := http.NewServeMux()
	mux.HandleFunc(*health, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>%s</title></head>
<body><h1>Hello from %s</h1><p>You asked for <code id="uri">%s</code>.</p><p>Up since %s.</p></body></html>`,
			html.EscapeString(*name), html.EscapeString(*name), html.EscapeString(r.URL.RequestURI()), started.Format(time.RFC3339))
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(counted) }()
	if *stats != "" {
		go writeStats(*stats, counted)
	}
	<-stop
	_ = srv.Close()
}

// writeStats writes the byte counts every second, replacing the file whole.
func writeStats(path string, c *countingListener) {
	for range time.Tick(time.Second) {
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, fmt.Appendf(nil, "%d %d\n", c.rx.Load(), c.tx.Load()), 0o644); err == nil {
			_ = os.Rename(tmp, path)
		}
	}
}

// countingListener counts every byte its connections read and write.
type countingListener struct {
	net.Listener
	rx, tx atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, l: l}, nil
}

type countingConn struct {
	net.Conn
	l *countingListener
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.l.rx.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.l.tx.Add(int64(n))
	return n, err
}

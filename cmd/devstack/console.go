package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"syscall"
	"time"
)

// notable prints the log lines a person watching the demo cares about.
type notable struct {
	name string
	log  *slog.Logger
	buf  []byte
}

var shown = map[string]bool{"waking service": true, "service put to sleep": true, "wake retried by a visitor": true, "scale-up failed": true, "service not found": true,
	"starting the database before the service": true, "databases available": true, "database stopped": true}

func (n *notable) Write(p []byte) (int, error) {
	n.buf = append(n.buf, p...)
	for {
		i := strings.IndexByte(string(n.buf), '\n')
		if i < 0 {
			return len(p), nil
		}
		line := n.buf[:i]
		n.buf = n.buf[i+1:]
		var rec map[string]any
		if json.Unmarshal(line, &rec) != nil {
			continue
		}
		msg, _ := rec["msg"].(string)
		if shown[msg] || (msg == "evaluated" && rec["action"] != "skipped") {
			args := []any{"part", n.name}
			for _, k := range []string{"service", "database", "from", "to", "databaseSeconds", "action", "reason"} {
				if v, ok := rec[k]; ok {
					args = append(args, k, v)
				}
			}
			n.log.Info(msg, args...)
		}
	}
}

// exited is closed once the process pid no longer exists; the emulator reaps
// its own process, so a failed signal 0 means it is gone.
func exited(ctx context.Context, pid int) <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if syscall.Kill(pid, 0) != nil {
					close(ch)
					return
				}
			}
		}
	}()
	return ch
}

func tail(s string, n int) string { return s[max(0, len(s)-n):] }

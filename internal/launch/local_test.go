package launch

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestServeAnswersUntilAskedToStop(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "hello") })
	go func() { done <- serve(ctx, l, h, slog.New(slog.DiscardHandler)) }()

	resp, err := http.Get("http://" + l.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello" {
		t.Fatalf("answered %q", body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("stopped with %v", err)
		}
	case <-time.After(drainFor + 5*time.Second):
		t.Fatal("still serving after being asked to stop")
	}
}

func TestServeSaysWhereItCannotListen(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	err = ServeHTTP(context.Background(), l.Addr().String(), http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	var op *net.OpError
	if !errors.As(err, &op) || !strings.HasPrefix(err.Error(), "listen on "+l.Addr().String()+": ") {
		t.Fatalf("error %v, want the address and the listener's error", err)
	}
}

func TestRepeat(t *testing.T) {
	broken := errors.New("broken")
	tests := []struct {
		name     string
		interval time.Duration
		failAt   int // the run that fails; 0: none
		stopAt   int // the run after which ctx ends; 0: never
		runs     int
		err      error
	}{
		{"without an interval it runs once", 0, 0, 0, 1, nil},
		{"a failing first run is the error", time.Millisecond, 1, 0, 1, broken},
		{"it repeats until asked to stop", time.Millisecond, 0, 3, 3, nil},
		{"it stops at the first error", time.Millisecond, 2, 0, 2, broken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			runs := 0
			err := Repeat(ctx, tc.interval, func(context.Context) error {
				runs++
				if runs == tc.stopAt {
					cancel()
				}
				if runs == tc.failAt {
					return broken
				}
				return nil
			})
			if runs != tc.runs || !errors.Is(err, tc.err) {
				t.Fatalf("%d runs, error %v; want %d, %v", runs, err, tc.runs, tc.err)
			}
		})
	}
}

package wakehttp

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/metrics"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/route"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/emftest"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/waitpage"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/wake"
)

func TestAnswersWhileWakingAreCountedAndWrittenWhenTheWakeEnds(t *testing.T) {
	waking := wake.Status{Service: "web", State: wake.Waking, Stage: wake.StagePending}
	asleep := wake.Status{Service: "web", State: wake.Asleep}
	failed := wake.Status{Service: "web", State: wake.Failed, Message: "The app stopped while starting."}
	type ask struct {
		path, accept, agent string
	}
	page := ask{"/shop?x=1", "text/html", ""}
	poll := ask{"/_wake/status?path=%2Fshop", "application/json", ""}
	bot := ask{"/", "text/html", "Googlebot/2.1"}
	tests := []struct {
		name   string
		before wake.Status
		asks   []ask
		end    func(t *testing.T) wake.Status // the state the last request sees
		want   float64                        // VisitorsWhileWaking written
		lines  int
	}{
		{"pages and polls while waking, then ready", waking, []ask{page, poll, poll, page, poll}, readyStatus, 5, 1},
		{"while waking, then failed", waking, []ask{page, poll}, func(*testing.T) wake.Status { return failed }, 2, 1},
		{"still waking: counted, not yet written", waking, []ask{page, poll}, nil, 0, 0},
		{"an asleep service's bot visits and polls write nothing", asleep, []ask{bot, poll, bot}, func(*testing.T) wake.Status { return asleep }, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			m := metrics.New(slog.New(slog.NewJSONHandler(&out, nil)), "ScaleToZero", "wake")
			p, err := waitpage.New(waitpage.Options{})
			if err != nil {
				t.Fatal(err)
			}
			w := &fakeWaker{status: tc.before}
			services := []config.Service{{Name: "web", Cluster: "demo", Port: 8080, Scheme: "http"}}
			h := New(w, route.New(services), p, Options{HeadWakes: true, Bots: regexp.MustCompile(config.DefaultBots), Metrics: m}, slog.New(slog.NewTextHandler(io.Discard, nil)))
			serve := func(a ask) {
				req := httptest.NewRequest(http.MethodGet, a.path, nil)
				req.Header.Set("Accept", a.accept)
				if a.agent != "" {
					req.Header.Set("User-Agent", a.agent)
				}
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
			for _, a := range tc.asks {
				serve(a)
			}
			if tc.end != nil {
				w.status = tc.end(t)
				serve(poll)
			}
			docs := emftest.Parse(t, out.String())
			if len(docs) != tc.lines {
				t.Fatalf("%d metric lines, want %d:\n%s", len(docs), tc.lines, out.String())
			}
			if got := emftest.Sum(emftest.With(docs, metrics.VisitorsWhileWaking, "web"), metrics.VisitorsWhileWaking); got != tc.want {
				t.Fatalf("VisitorsWhileWaking %v, want %v", got, tc.want)
			}
		})
	}
}

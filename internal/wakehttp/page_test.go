package wakehttp

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/wake"
)

// page is the wait page a browser gets for a visit to path, by a handler for svc whose Waker reports st.
func page(t *testing.T, svc config.Service, st wake.Status, path string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Accept", "text/html")
	newHandler(t, &fakeWaker{status: st}, svc).ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("%d %s, want the wait page", rec.Code, rec.Header().Get("Content-Type"))
	}
	return rec.Body.String()
}

func TestTheBookmarkHintFollowsTheAddressMode(t *testing.T) {
	const hint = "Bookmark this address"
	waking := wake.Status{Service: "web", State: wake.Waking, Stage: wake.StagePending, Description: "Pulling the image…", Next: &wake.Next{AfterMs: 2000}}
	tests := []struct {
		address string
		want    bool
	}{
		{"", true}, // the configuration's default, public
		{config.AddressPublic, true},
		{config.AddressPrivate, true},
		{config.AddressURL, false}, // a load balancer's address stays when the service sleeps
	}
	for _, tc := range tests {
		t.Run("address "+tc.address, func(t *testing.T) {
			svc := config.Service{Name: "web", Cluster: "demo", Port: 8080, Scheme: "http", Address: tc.address}
			if got := strings.Contains(page(t, svc, waking, "/a"), hint); got != tc.want {
				t.Fatalf("hint shown %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTheFailedPageSaysWhenTheWakeFailed(t *testing.T) {
	svc := config.Service{Name: "web", Cluster: "demo", Port: 8080, Scheme: "http"}
	failed := wake.Status{Service: "web", State: wake.Failed, Message: "The app stopped while starting.", Description: "The service could not start.",
		ElapsedSeconds: 612, FailedAt: time.Date(2026, 1, 2, 14, 2, 3, 0, time.UTC)}
	html := page(t, svc, failed, "/a?b=1")
	for _, want := range []string{
		`Failed at <time datetime="2026-01-02T14:02:03Z">14:02 UTC</time> after 612 s`,
		`data-elapsed="612"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

func TestTheRefreshWithoutJavaScriptReloadsTheVisitorsPath(t *testing.T) {
	svc := config.Service{Name: "web", Cluster: "demo", Port: 8080, Scheme: "http"}
	waking := wake.Status{Service: "web", State: wake.Waking, Stage: wake.StagePending, Description: "Pulling the image…", Next: &wake.Next{AfterMs: 2000}}
	if html := page(t, svc, waking, "/docs/a?b=1"); !strings.Contains(html, `<meta http-equiv="refresh" content="2;url=/docs/a?b=1">`) {
		t.Fatal("the refresh does not name the path: at a URL with a #fragment, a bare refresh only scrolls")
	}
}

package wakehttp

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/wake"
)

func TestTheWaitPageSpeaksToTheVisitorAndTheStatusToTheOperator(t *testing.T) {
	// The controller's description is an operator's; the page has its own words.
	st := wake.Status{Service: "web", State: wake.Waking, Stage: wake.StagePending, Description: "Starting: the task is PENDING (its image is being pulled and its container started)."}
	h := newHandler(t, &fakeWaker{status: st})

	page := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/some/path", nil)
	req.Header.Set("Accept", "text/html")
	h.ServeHTTP(page, req)
	if !strings.Contains(page.Body.String(), "Pulling the image and starting the container…") ||
		strings.Contains(page.Body.String(), "the task is PENDING") {
		t.Fatalf("the page does not say the stage in a visitor's words:\n%s", page.Body)
	}

	status := httptest.NewRecorder()
	h.ServeHTTP(status, httptest.NewRequest("GET", "/_wake/status?path=%2F", nil))
	if !strings.Contains(status.Body.String(), `"description":"Starting: the task is PENDING`) {
		t.Fatalf("the status does not carry the operator's description: %s", status.Body)
	}
}

package waitpage

// visitorWords are what the page says to a visitor for each state, and for
// each stage of a wake. The status JSON's description is an operator's; the
// page's script holds the same words (WORDS in assets/wait.js, checked by a
// test) for the states it polls into.
var visitorWords = map[string]string{
	"asleep":       "The service is asleep.",
	"ready":        "Ready. Taking you there…",
	"failed":       "The service could not start.",
	"no-task":      "Starting a task…",
	"provisioning": "Preparing the task's network…",
	"pending":      "Pulling the image and starting the container…",
	"activating":   "Almost there: connecting the task…",
	"starting-app": "The app is starting up…",
	"checking":     "Checking on the service…",
	// The service's database starts before the service (RDS takes minutes).
	"starting-database": "Starting the database…",
}

// Words says a state, and a wake's stage, in a visitor's words; "" for a
// stage it does not know.
func Words(state, stage string) string {
	if state == "waking" {
		return visitorWords[stage]
	}
	return visitorWords[state]
}

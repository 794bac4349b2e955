package testworld

import "time"

// Call is one API call the gate saw.
type Call struct {
	Op        string
	At        time.Time
	Throttled bool
}

// Calls returns the calls counted since the last Reset, by operation.
func (g *Gate) Calls() map[string]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make(map[string]int, len(g.calls))
	for k, v := range g.calls {
		out[k] = v
	}
	return out
}

// Count is the number of calls of the given operations since the last Reset.
func (g *Gate) Count(ops ...string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, op := range ops {
		n += g.calls[op]
	}
	return n
}

// ResetCounts starts counting from zero.
func (g *Gate) ResetCounts() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls = map[string]int{}
}

// Log returns the calls seen since from.
func (g *Gate) Log(from time.Time) []Call {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []Call
	for _, c := range g.log {
		if !c.At.Before(from) {
			out = append(out, c)
		}
	}
	return out
}

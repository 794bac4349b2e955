package emftest

import (
	"bytes"
	"sync"
	"testing"
)

// Log is a log destination a test reads while the code under test writes
// to it from other goroutines.
type Log struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String is everything written so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Docs parses the metric lines written so far (see Parse).
func (l *Log) Docs(t testing.TB) []Doc {
	t.Helper()
	return Parse(t, l.String())
}

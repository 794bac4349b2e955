package standin

import (
	"fmt"
	"net"
	"strconv"
)

// takeIP picks an address of the pool whose port nobody listens on: another
// local stack or a test on this machine may run apps on the same pool.
func (s *Scheduler) takeIP(port int) (string, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for n := firstIP; n <= lastIP; n++ {
		if s.usedIPs[n] {
			continue
		}
		ip := "127.0.0." + strconv.Itoa(n)
		l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
		if err != nil {
			continue
		}
		_ = l.Close()
		s.usedIPs[n] = true
		return ip, n, nil
	}
	return "", 0, fmt.Errorf("no free address in 127.0.0.%d-%d for port %d", firstIP, lastIP, port)
}

func (s *Scheduler) freeIP(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.usedIPs, n)
}

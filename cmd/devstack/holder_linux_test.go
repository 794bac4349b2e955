package main

import (
	"net"
	"slices"
	"strings"
	"testing"
)

func TestTheListenersOnAPortAreFoundInProcNetTCP(t *testing.T) {
	const table = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0
   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 222 1 0000000000000000 100 0 0 10 0
   2: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 333 1 0000000000000000 20 4 30 10 -1
   3: 0A00007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 444 1 0000000000000000 100 0 0 10 0
   4: 0100007F:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 555 1 0000000000000000 100 0 0 10 0
`
	const table6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 666 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0
`
	tests := []struct {
		name  string
		table string
		ip    string
		port  int
		want  []string
	}{
		{"the address itself first, then the wildcard that covers it", table, "127.0.0.1", 8080, []string{"111", "222"}},
		{"another loopback address: only the wildcard covers it", table, "127.0.0.10", 8080, []string{"444", "222"}},
		{"any address: every listener on the port", table, "", 8080, []string{"111", "222", "444"}},
		{"a connection on the port is no listener", table, "127.0.0.2", 8080, []string{"222"}},
		{"another port", table, "127.0.0.1", 8081, []string{"555"}},
		{"nothing on the port", table, "127.0.0.1", 9999, nil},
		{"IPv6 loopback, then the wildcard", table6, "::1", 8080, []string{"666", "777"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := listeningInodes(strings.NewReader(tc.table), net.ParseIP(tc.ip), tc.port)
			if !slices.Equal(got, tc.want) {
				t.Errorf("inodes %v, want %v", got, tc.want)
			}
		})
	}
}

// Package probe tells whether an app really answers: an HTTP GET of its health
// path when one is configured, else a TCP connect to its port.
package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"syscall"
	"time"
)

// Target is one address to probe.
type Target struct {
	Scheme     string // http or https
	Host       string // an IP address or host name
	Port       int
	HealthPath string // empty: TCP connect only
}

// Addr is host:port.
func (t Target) Addr() string { return net.JoinHostPort(t.Host, strconv.Itoa(t.Port)) }

// ErrNotAllowed is returned for an address outside the allowed networks.
var ErrNotAllowed = errors.New("address not in the allowed networks")

// ErrNotReady is wrapped by a health check that the app answered with a status other than 2xx/3xx.
var ErrNotReady = errors.New("the app answered, not ready")

// HostAnswers reports whether a failed probe still heard from the host: the
// connection was refused (nothing listens on the port yet) or the app answered
// but not ready. A timeout or an unreachable host says nothing of the kind —
// the address may be gone with its task.
func HostAnswers(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, ErrNotReady)
}

// Prober probes targets with a short timeout.
type Prober struct {
	timeout time.Duration
	dialer  *net.Dialer
	client  *http.Client
}

// New returns a Prober. When allowed is not empty, it refuses to connect to
// any address outside those networks: the local stack and the tests restrict
// it to loopback, since an emulator reports made-up task addresses.
func New(timeout time.Duration, allowed []netip.Prefix) *Prober {
	d := &net.Dialer{Timeout: timeout}
	if len(allowed) > 0 {
		// Control sees the address actually dialled, after name resolution.
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("probe %s: %w", address, ErrNotAllowed)
			}
			for _, p := range allowed {
				if p.Contains(ap.Addr().Unmap()) {
					return nil
				}
			}
			return fmt.Errorf("probe %s: %w", address, ErrNotAllowed)
		}
	}
	transport := &http.Transport{
		DialContext:         d.DialContext,
		DisableKeepAlives:   true,
		TLSHandshakeTimeout: timeout,
		// Apps behind a fresh task often serve a self-signed or not-yet-valid certificate;
		// the probe asks only whether something answers, it sends nothing secret.
		TLSClientConfig: insecureTLS(),
		Proxy:           nil,
	}
	return &Prober{
		timeout: timeout,
		dialer:  d,
		client: &http.Client{
			Transport: transport,
			Timeout:   timeout,
			// 3xx counts as an answer: do not follow it anywhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// Probe returns nil when the target answers.
func (p *Prober) Probe(ctx context.Context, t Target) error {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	if t.HealthPath == "" {
		conn, err := p.dialer.DialContext(ctx, "tcp", t.Addr())
		if err != nil {
			return fmt.Errorf("connect %s: %w", t.Addr(), err)
		}
		return conn.Close()
	}
	url := t.Scheme + "://" + t.Addr() + t.HealthPath
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("health check %s: %w", url, err)
	}
	req.Header.Set("User-Agent", "scale-to-zero-probe")
	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("health check %s: %w", url, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 400 {
		return nil
	}
	return fmt.Errorf("health check %s: status %d: %w", url, resp.StatusCode, ErrNotReady)
}

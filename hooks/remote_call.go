package hooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// A tool with an api_endpoint really runs: toolbase POSTs the use to it,
// signed, outside any database transaction, and a failed call is refunded.

const (
	// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256>" of
	// "<t>.<raw body>" under the tool's signing secret (Stripe's scheme).
	SignatureHeader = "X-Toolbase-Signature"
	// maxOutputBytes bounds an endpoint's JSON answer.
	maxOutputBytes = 1 << 20
	// settleMargin is how long past its tool's timeout a pending use may stay
	// before the reconciler fails and refunds it.
	settleMargin = 30 * time.Second
	// signingSecretPrefix marks toolbase signing secrets in creators' configs.
	signingSecretPrefix = "whsec_"
)

var (
	// ErrTooManyInFlight refuses a use while the tool's endpoint already has
	// its maximum of calls running.
	ErrTooManyInFlight = errors.New("too many calls in flight for this tool")
	// ErrInProgress answers a replayed Idempotency-Key whose first use is still running.
	ErrInProgress = errors.New("request in progress")
)

// Sign returns the SignatureHeader value for body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.", t.Unix())
	mac.Write(body)
	return fmt.Sprintf("t=%d,v1=%s", t.Unix(), hex.EncodeToString(mac.Sum(nil)))
}

// newSigningSecret returns a fresh secret: the prefix and 32 random bytes.
func newSigningSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return signingSecretPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// caller calls tools' endpoints through one bounded connection pool that dials
// only allowed addresses, and bounds the calls in flight per tool.
type caller struct {
	client *http.Client
	limit  int64

	mu       sync.Mutex
	inFlight map[string]int64
}

func newCaller(cfg Config) *caller {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !cfg.AllowPrivateEndpoints {
		// checked on the address actually dialed, after DNS, so that a name
		// resolving to an internal address (or re-resolving to one) is refused
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			return dialAllowed(address)
		}
	}
	return &caller{
		limit:    cfg.ToolMaxInFlight,
		inFlight: map[string]int64{},
		client: &http.Client{
			Transport: &http.Transport{
				DialContext:         dialer.DialContext,
				MaxIdleConns:        100,
				MaxIdleConnsPerHost: 16,
				MaxConnsPerHost:     int(cfg.ToolMaxInFlight),
				IdleConnTimeout:     90 * time.Second,
				TLSHandshakeTimeout: 10 * time.Second,
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// dialAllowed is the dial-time check of an address ("host:port", the host an
// IP literal, after DNS): nil when toolbase may connect to it.
func dialAllowed(address string) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || forbiddenIP(ip) {
		return fmt.Errorf("address %s is not allowed (loopback, private, link-local or metadata)", host)
	}
	return nil
}

// forbiddenPrefixes are special-purpose ranges netip has no predicate for,
// refused whole: nothing a tool's endpoint needs lives there.
var forbiddenPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT (and cloud metadata such as 100.100.100.200)
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),   // documentation
	netip.MustParsePrefix("192.88.99.0/24"), // 6to4 relay anycast
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"), // reserved, broadcast

	netip.MustParsePrefix("::/96"),          // IPv4-compatible (deprecated): ::127.0.0.1
	netip.MustParsePrefix("::ffff:0:0/96"),  // IPv4-mapped: a real IPv4 dial never looks like this
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64 (RFC 8215): the operator's own IPv4 networks
	netip.MustParsePrefix("100::/64"),       // discard-only
	netip.MustParsePrefix("2001:db8::/32"),  // documentation
	netip.MustParsePrefix("3fff::/20"),      // documentation
	netip.MustParsePrefix("fec0::/10"),      // site-local (deprecated)
}

var (
	nat64Prefix   = netip.MustParsePrefix("64:ff9b::/96")             // well-known NAT64: IPv4 in the last 32 bits
	siitPrefix    = netip.MustParsePrefix("::ffff:0:0:0/96")          // IPv4-translated (SIIT): IPv4 in the last 32 bits
	sixToFour     = netip.MustParsePrefix("2002::/16")                // 6to4: IPv4 in bits 16–47
	teredoPrefix  = netip.MustParsePrefix("2001::/32")                // Teredo: server in bits 32–63, client (inverted) in the last 32
	isatapIfaceID = [][4]byte{{0, 0, 0x5e, 0xfe}, {2, 0, 0x5e, 0xfe}} // ISATAP interface id: IPv4 in the last 32 bits
)

// forbiddenIP reports whether ip (or an IPv4 address it embeds: NAT64, 6to4,
// Teredo, ISATAP, SIIT) is loopback, private, link-local, multicast,
// unspecified or special-purpose.
func forbiddenIP(ip netip.Addr) bool {
	ip = ip.WithZone("")
	if !ip.IsValid() {
		return true
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	for _, p := range forbiddenPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	if ip.Is4() {
		return false
	}
	for _, v4 := range embeddedIPv4(ip) {
		if forbiddenIP(v4) {
			return true
		}
	}
	return false
}

// embeddedIPv4 returns the IPv4 addresses an IPv6 address is a way to reach.
func embeddedIPv4(ip netip.Addr) []netip.Addr {
	b := ip.As16()
	v4 := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{b[i], b[i+1], b[i+2], b[i+3]}) }
	var out []netip.Addr
	switch {
	case nat64Prefix.Contains(ip), siitPrefix.Contains(ip):
		out = append(out, v4(12))
	case sixToFour.Contains(ip):
		out = append(out, v4(2))
	case teredoPrefix.Contains(ip):
		client := [4]byte{^b[12], ^b[13], ^b[14], ^b[15]}
		out = append(out, v4(4), netip.AddrFrom4(client))
	}
	for _, id := range isatapIfaceID {
		if [4]byte{b[8], b[9], b[10], b[11]} == id {
			out = append(out, v4(12))
		}
	}
	return out
}

// acquire reserves one of the tool's call slots.
func (cl *caller) acquire(toolID string) bool {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.inFlight[toolID] >= cl.limit {
		return false
	}
	cl.inFlight[toolID]++
	return true
}

func (cl *caller) release(toolID string) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.inFlight[toolID]--; cl.inFlight[toolID] <= 0 {
		delete(cl.inFlight, toolID)
	}
}

// callPayload is the body POSTed to a tool's endpoint.
type callPayload struct {
	UsageID   string          `json:"usage_id"`
	ToolID    string          `json:"tool_id"`
	UserID    string          `json:"user_id"`
	InputData json.RawMessage `json:"input_data"`
}

// call POSTs the use to the tool's endpoint and reads its answer.
func (cl *caller) call(cfg Config, tool *c.Tool, usage *core.Record, input []byte) ledger.Outcome {
	timeout := time.Duration(tool.TimeoutSeconds()) * time.Second
	if timeout <= 0 {
		timeout = c.DefaultToolTimeout * time.Second
	}
	if msg := endpointProblem(cfg, tool.APIEndpoint()); msg != "" {
		return ledger.Outcome{Failure: msg}
	}
	body, _ := json.Marshal(callPayload{UsageID: usage.Id, ToolID: tool.Id, UserID: c.AsUsage(usage).User(), InputData: input})
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tool.APIEndpoint(), bytes.NewReader(body))
	if err != nil {
		return ledger.Outcome{Failure: "the tool's endpoint URL is invalid"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "toolbase")
	req.Header.Set(SignatureHeader, Sign(tool.SigningSecret(), time.Now(), body))

	start := time.Now()
	res, err := cl.client.Do(req)
	if err != nil {
		return ledger.Outcome{Elapsed: time.Since(start), Failure: callError(err, timeout)}
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxOutputBytes+1))
	elapsed := time.Since(start)
	switch {
	case err != nil:
		return ledger.Outcome{Elapsed: elapsed, Failure: callError(err, timeout)}
	case res.StatusCode/100 == 3:
		return ledger.Outcome{Elapsed: elapsed, Failure: fmt.Sprintf("the tool's endpoint answered %d (a redirect; redirects are not followed)", res.StatusCode)}
	case res.StatusCode/100 != 2:
		return ledger.Outcome{Elapsed: elapsed, Failure: fmt.Sprintf("the tool's endpoint answered %d", res.StatusCode)}
	case len(raw) > maxOutputBytes:
		return ledger.Outcome{Elapsed: elapsed, Failure: "the tool's answer exceeds 1 MiB"}
	case !json.Valid(raw):
		return ledger.Outcome{Elapsed: elapsed, Failure: "the tool's answer is not valid JSON"}
	}
	return ledger.Outcome{Output: raw, Elapsed: elapsed}
}

// endpointProblem says why toolbase won't call endpoint, or "".
func endpointProblem(cfg Config, endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return "the tool's endpoint URL is invalid"
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && cfg.AllowHTTPEndpoints) {
		return "the tool's endpoint must use https"
	}
	return ""
}

func callError(err error, timeout time.Duration) string {
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return fmt.Sprintf("the tool's endpoint did not answer within %s", timeout)
	case strings.Contains(err.Error(), "is not allowed"):
		return "the tool's endpoint resolves to an address toolbase may not call (loopback, private, link-local or metadata)"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "the tool's endpoint refused the connection"
	}
	return "could not reach the tool's endpoint"
}

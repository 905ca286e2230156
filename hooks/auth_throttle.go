package hooks

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/pocketbase/pocketbase/core"
)

// The failed-login throttle guards every way to a user token: POST /api/token/
// and /api/token/refresh/, and PocketBase's auth-with-password, auth-with-otp,
// auth-with-oauth2 and auth-refresh of the users collection (auth_native.go).
// It is a security control, not a rate limit: it counts only failures, never
// slows legitimate traffic, and works whatever PocketBase's rateLimits
// setting says. Attempts are checked before any password is: a refused one
// costs no bcrypt. Three limits:
//
//   - one address at one account: loginPairMax failures in loginPairWindow
//     lock that pair until the window ends (the owner elsewhere is unaffected);
//   - one address at any account (password spraying): loginIPMax failures in
//     loginIPWindow lock the address;
//   - one account from any address (distributed guessing): the first
//     loginAccountFree failures cost nothing; beyond them, attempts at the
//     account are spaced by a delay that starts at a second and doubles every
//     loginAccountStep failures, up to loginAccountMaxDelay. The account is
//     never locked: whoever asks after the delay gets a password check, so
//     failures from other addresses make the owner wait seconds, not an hour,
//     while guessing stays bounded (about 3600/loginAccountMaxDelay attempts an
//     hour once the delay peaked). Its failures are forgotten
//     loginAccountWindow after the last one. An address that signed in to
//     the account successfully within loginKnownWindow is exempt from this
//     delay (not from the other two limits): a guesser on fresh addresses
//     cannot make the owner, at home, queue behind its guesses.
//
// The address is PocketBase's RealIP: behind a reverse proxy, configure the
// trusted proxy headers (Settings > Application), or every client shares the
// proxy's address. State lives on the app, in memory, in expiring LRUs: a
// flood of distinct addresses evicts the least recently seen counters, and
// locks have their own LRU, which only a key's repeated failures enter.
const (
	loginPairMax         = 5
	loginPairWindow      = 15 * time.Minute
	loginIPMax           = 50
	loginIPWindow        = 15 * time.Minute
	loginAccountFree     = 50
	loginAccountStep     = 10
	loginAccountMaxDelay = time.Minute
	loginAccountWindow   = time.Hour
	loginKnownWindow     = 30 * 24 * time.Hour
	// loginThrottleCap bounds each LRU: counters, locks and accounts
	loginThrottleCap = 100_000
)

// loginKeys names an attempt: its address and, when known, its account (an
// email or other identity, compared ignoring case). slow says whether the
// account-wide delay applies (it does to password and OTP checks, not to
// refreshing a token one already holds).
type loginKeys struct {
	ip, account string
	slow        bool
}

// newLoginKeys returns the keys of a credential check from ip at account.
func newLoginKeys(ip, account string) loginKeys {
	return loginKeys{ip: ip, account: strings.ToLower(strings.TrimSpace(account)), slow: true}
}

func (k loginKeys) pairKey() string { return "pair:" + k.ip + "|" + k.account }
func (k loginKeys) ipKey() string   { return "ip:" + k.ip }

// failWindow counts failures until the window ends.
type failWindow struct {
	until time.Time
	count int
}

// accountFailures is the account-wide state: failures since the state was
// new (it is dropped loginAccountWindow after the last), and when the last
// attempt was let through.
type accountFailures struct {
	count    int
	last     time.Time // the last failure
	admitted time.Time // the last attempt let through while slowed
}

type loginThrottle struct {
	mu sync.Mutex
	// now is the clock (tests move it)
	now      func() time.Time
	counts   *expirable.LRU[string, *failWindow]
	locks    *expirable.LRU[string, time.Time]
	accounts *expirable.LRU[string, *accountFailures]
	known    *expirable.LRU[string, struct{}] // pair keys that signed in
}

func newLoginThrottle(size int) *loginThrottle {
	window := max(loginPairWindow, loginIPWindow)
	return &loginThrottle{
		now:      time.Now,
		counts:   expirable.NewLRU[string, *failWindow](size, nil, window),
		locks:    expirable.NewLRU[string, time.Time](size, nil, window),
		accounts: expirable.NewLRU[string, *accountFailures](size, nil, loginAccountWindow),
		known:    expirable.NewLRU[string, struct{}](size, nil, loginKnownWindow),
	}
}

// accountDelay is the spacing of attempts at an account with n failures.
func accountDelay(n int) time.Duration {
	if n < loginAccountFree {
		return 0
	}
	steps := (n - loginAccountFree) / loginAccountStep
	if steps >= 16 {
		return loginAccountMaxDelay
	}
	return min(time.Second<<steps, loginAccountMaxDelay)
}

// admit returns how long the attempt must wait (0: go ahead). A slowed
// account's slot is taken by the attempt let through, so concurrent attempts
// cannot all slip in together.
func (t *loginThrottle) admit(k loginKeys) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var wait time.Duration
	keys := []string{k.ipKey()}
	if k.account != "" {
		keys = append(keys, k.pairKey())
	}
	for _, key := range keys {
		if until, ok := t.locks.Get(key); ok && now.Before(until) {
			wait = max(wait, until.Sub(now))
		}
	}
	if wait > 0 || !k.slow || k.account == "" || t.known.Contains(k.pairKey()) {
		return wait
	}
	st, ok := t.accounts.Get(k.account)
	if !ok || now.Sub(st.last) >= loginAccountWindow {
		return 0
	}
	delay := accountDelay(st.count)
	if delay == 0 {
		return 0
	}
	next := st.admitted.Add(delay)
	if last := st.last.Add(delay); last.After(next) {
		next = last
	}
	if now.Before(next) {
		return next.Sub(now)
	}
	st.admitted = now
	return 0
}

// fail counts a failed attempt.
func (t *loginThrottle) fail(k loginKeys) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.count(k.ipKey(), loginIPMax, loginIPWindow, now)
	if k.account == "" {
		return
	}
	t.count(k.pairKey(), loginPairMax, loginPairWindow, now)
	if !k.slow {
		return
	}
	st, ok := t.accounts.Get(k.account)
	if !ok || now.Sub(st.last) >= loginAccountWindow {
		st = &accountFailures{}
	}
	st.count++
	st.last = now
	t.accounts.Add(k.account, st) // restarts its expiry
}

// count adds a failure to key's window and locks key when it reaches max.
func (t *loginThrottle) count(key string, maxFailures int, window time.Duration, now time.Time) {
	w, ok := t.counts.Get(key)
	if !ok || !now.Before(w.until) {
		w = &failWindow{until: now.Add(window)}
		t.counts.Add(key, w)
	}
	w.count++
	if w.count >= maxFailures {
		t.locks.Add(key, w.until)
		t.counts.Remove(key)
	}
}

// succeed forgets the failures of this address at this account (not those of
// the address or of the account as a whole), and remembers the address as
// the account's own.
func (t *loginThrottle) succeed(k loginKeys) {
	if k.account == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.counts.Remove(k.pairKey())
	t.known.Add(k.pairKey(), struct{}{})
}

// retryAfter sets the Retry-After header for wait and returns it in whole
// seconds, rounded up.
func retryAfter(e *core.RequestEvent, wait time.Duration) int {
	secs := int((wait + time.Second - 1) / time.Second)
	e.Response.Header().Set("Retry-After", strconv.Itoa(secs))
	return secs
}

// errThrottled is DRF's 429, with Retry-After.
func errThrottled(e *core.RequestEvent, wait time.Duration) error {
	secs := retryAfter(e, wait)
	return errDetail(429, fmt.Sprintf("Request was throttled. Expected available in %d seconds.", secs))
}

// loginThrottleDoc describes the throttle for the API description.
func loginThrottleDoc() string {
	return fmt.Sprintf("Failed logins are throttled, in memory, together with PocketBase's auth-with-password, auth-with-otp, auth-with-oauth2 and auth-refresh of users: "+
		"%d failures per %.0f minutes lock one client IP at one email (a success clears them), %d per %.0f minutes lock one IP. "+
		"An email is never locked: after %d failures (from any IP, forgotten %.0f minutes after the last) attempts at it are spaced by a delay "+
		"that starts at 1 second and doubles every %d failures up to %.0f seconds, except from an IP that signed in to it within %.0f days. A refused attempt is 429 with Retry-After before its password is checked. "+
		"The client IP is PocketBase's RealIP (behind a proxy, set the trusted proxy headers).",
		loginPairMax, loginPairWindow.Minutes(), loginIPMax, loginIPWindow.Minutes(),
		loginAccountFree, loginAccountWindow.Minutes(), loginAccountStep, loginAccountMaxDelay.Seconds(), loginKnownWindow.Hours()/24)
}

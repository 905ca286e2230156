package hooks

import (
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/security"

	c "toolbase/collections"
)

// Cached authentication, for the routes that read nothing of their caller but
// its identity (the use route). PocketBase checks a token on every request by
// loading its user with a SELECT compiled each time: a quarter of a use's
// CPU. On those routes a token verified once is remembered with what it was
// verified against, and its user comes from the users cache (recordcache). A
// remembered token is accepted exactly while PocketBase would accept it:
// before its exp, and while its user's tokenKey (a new password or a
// deactivation changes it) and the users collection's token secret are those
// it was verified with. An API key there is found from its secret's hash by
// the key's id remembered for it, and the key from the keys cache, checked as
// the query's row would be. A cached user's balances, or a key's counters,
// are stale (the ledger moves them by SQL without hooks), which is why only
// identity-only routes take them; a use's transaction checks its key again
// (ledger.ErrKeyInvalid).

const (
	// identityOnlyKey marks, on a request event, a route that reads only its
	// caller's identity (identityAuth).
	identityOnlyKey = "toolbase.identityOnly"

	maxTokenGrants = 10_000
	// rememberTTL only bounds memory: a grant ends with its token's exp, and
	// a key's id is checked against the key
	rememberTTL    = 10 * time.Minute
	maxCachedUsers = 10_000
	maxCachedTools = 10_000
	maxCachedKeys  = 10_000
	// cachedRecordTTL bounds how long a write that bypasses this process's
	// hooks (another process on the same data) goes unseen by the caches
	cachedRecordTTL = 10 * time.Second
)

// tokenGrant is a verified token of a user: who, against what, until when.
type tokenGrant struct {
	user string
	// what the token was signed with (see core.FindAuthRecordByToken): the
	// user's tokenKey and its collection's secret, when it was verified
	tokenKey, secret string
	exp              time.Time
}

// newTokenGrants returns the verified tokens, by token.
func newTokenGrants() *expirable.LRU[string, tokenGrant] {
	return expirable.NewLRU[string, tokenGrant](maxTokenGrants, nil, rememberTTL)
}

// newKeyIDs returns the API keys' ids by the hashes of their secrets.
func newKeyIDs() *expirable.LRU[string, string] {
	return expirable.NewLRU[string, string](maxCachedKeys, nil, rememberTTL)
}

// holds reports whether user's tokens are still signed with what g was
// verified against.
func (g tokenGrant) holds(user *core.Record) bool {
	return user.TokenKey() == g.tokenKey && user.Collection().AuthToken.Secret == g.secret
}

// identityAuth takes the place of PocketBase's loadAuthToken on the group of
// identity-only routes: the same authentication, verified tokens remembered.
func (tb *toolbase) identityAuth() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       "toolbaseIdentityAuth",
		Priority: apis.DefaultLoadAuthTokenMiddlewarePriority,
		Func: func(e *core.RequestEvent) error {
			e.Set(identityOnlyKey, true)
			// a request with an API key is authenticateKey's
			if _, keyed, _ := presentedKey(e.Request); e.Auth == nil && !keyed {
				e.Auth = tb.authByToken(e.App, requestToken(e.Request))
			}
			return e.Next()
		},
	}
}

// requestToken is the token of a request's Authorization header, read as
// PocketBase reads it (the "Bearer " prefix optional).
func requestToken(r *http.Request) string {
	token := r.Header.Get("Authorization")
	if len(token) > 7 && strings.EqualFold(token[:7], "Bearer ") {
		return token[7:]
	}
	return token
}

// authByToken returns the auth record of an auth token, or nil where
// PocketBase would refuse it. The record is the caller's own copy.
func (tb *toolbase) authByToken(app core.App, token string) *core.Record {
	if token == "" {
		return nil
	}
	if g, ok := tb.grants.Get(token); ok {
		if time.Now().Before(g.exp) {
			if user, err := tb.users.Get(app, g.user); err == nil && g.holds(user) {
				return user.Clone()
			}
		}
		// expired, or its user's key changed: PocketBase's check decides (and refuses)
		tb.grants.Remove(token)
	}
	rec, err := app.FindAuthRecordByToken(token, core.TokenTypeAuth)
	if err != nil {
		app.Logger().Debug("loadAuthToken failure", "error", err)
		return nil
	}
	if rec.Collection().Name == c.Users {
		if claims, err := security.ParseUnverifiedJWT(token); err == nil {
			if exp, err := claims.GetExpirationTime(); err == nil && exp != nil {
				tb.grants.Add(token, tokenGrant{user: rec.Id, tokenKey: rec.TokenKey(),
					secret: rec.Collection().AuthToken.Secret, exp: exp.Time})
			}
		}
	}
	return rec
}

// identityOnly reports whether the request's route reads only its caller's
// identity (identityAuth marked it).
func identityOnly(e *core.RequestEvent) bool {
	only, _ := e.Get(identityOnlyKey).(bool)
	return only
}

// userOf returns user id for the request: from the users cache on
// identity-only routes (identityAuth), else loaded. The record is the
// caller's own copy.
func (tb *toolbase) userOf(e *core.RequestEvent, id string) (*core.Record, error) {
	if !identityOnly(e) {
		return e.App.FindRecordById(c.Users, id)
	}
	user, err := tb.users.Get(e.App, id)
	if err != nil {
		return nil, err
	}
	return user.Clone(), nil
}

// keyOf returns the API key a request's secret opens (see findKey): on
// identity-only routes through the key caches, else by its query.
func (tb *toolbase) keyOf(e *core.RequestEvent, secret string, now time.Time) (*keyRow, error) {
	stmt := tb.keyLookup.Load()
	if !identityOnly(e) {
		return findKeyWith(e.App, stmt, secret, now)
	}
	if !wellFormed(secret) {
		return nil, nil
	}
	hash := hashSecret(secret)
	// the id remembered for hash names a key whose hashes are checked again:
	// a key regenerated since is refused as the query would refuse it
	if id, ok := tb.keyIDs.Get(hash); ok {
		if rec, err := tb.keys.Get(e.App, id); err == nil {
			return keyRowOf(rec).accepting(hash, now), nil
		}
	}
	k, err := queryKey(e.App, stmt, hash)
	if k == nil || err != nil {
		return nil, err
	}
	tb.keyIDs.Add(hash, k.ID)
	return k.accepting(hash, now), nil
}

// keyRowOf is the keyRow of a tool_api_keys record.
func keyRowOf(r *core.Record) *keyRow {
	return &keyRow{
		ID: r.Id, User: r.GetString(c.APIKeyUser), Tool: r.GetString(c.APIKeyTool),
		Active: r.GetBool(c.APIKeyIsActive), ExpiresAt: r.GetString(c.APIKeyExpiresAt),
		Hash: r.GetString(c.APIKeyHash), PrevHash: r.GetString(c.APIKeyPreviousHash),
		PrevUntil: r.GetString(c.APIKeyPreviousUntil), LastUsed: r.GetString(c.APIKeyLastUsed),
	}
}

package hooks

import (
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
	"toolbase/hooks/internal/middleware"
	"toolbase/hooks/ledger"
)

// API keys (issue 5): secrets that authenticate scripts as their owner on the
// DRF API and on the PocketBase records API.
//
// A secret is "tk_" + 43 characters (32 crypto/rand bytes, URL-safe base64).
// Only its SHA-256 (hex) is stored, with a display prefix; the secret itself
// is in the create and regenerate responses and nowhere else. A regenerate
// may keep the replaced secret working for a grace period: its hash moves to
// previous_key_hash until previous_key_until. A request's key is found by one
// indexed query on either hash.

// apiKeyEventKey holds, on a request authenticated by an API key, the key's id.
const apiKeyEventKey = "toolbase.apiKey"

// apiKeyOf returns the id of the API key that authenticated the request, or "".
func apiKeyOf(e *core.RequestEvent) string {
	id, _ := e.Get(apiKeyEventKey).(string)
	return id
}

const (
	keySecretPrefix = "tk_"
	keySecretBytes  = 32
	// keySecretLen is the length of a secret: the prefix and 43 base64 characters.
	keySecretLen = len(keySecretPrefix) + (keySecretBytes*8+5)/6
	// keyShownChars is how much of a secret after "tk_" stays displayable.
	keyShownChars = 8

	maxKeysPerUser     = 25
	maxKeyNameChars    = 100
	maxKeyLimit        = 1_000_000_000
	maxGraceSeconds    = 86400
	lastUsedResolution = time.Minute

	// keyAuthPriority runs the key middleware after PocketBase's loadAuthToken
	// and before its rate limiter, so that limits see the key's owner.
	keyAuthPriority = apis.DefaultLoadAuthTokenMiddlewarePriority + 3
)

// Answers about keys.
const (
	msgInvalidKey    = "Invalid API key."
	msgTwoCreds      = "Send one credential: either an Authorization header or an X-API-Key header, not both."
	msgKeyOutOfScope = "This API key is scoped to one tool; it cannot be used for this request."
	msgKeysNoManage  = "An API key cannot manage API keys; authenticate with a token."
	msgKeyNotHere    = "API keys cannot be used for this request; authenticate with a token."
)

var errInvalidKey = errDetail(http.StatusUnauthorized, msgInvalidKey)

// ---------------------------------------------------------------------------
// Authentication

// presentedKey returns the key a request presents in `Authorization: Api-Key
// <key>` or `X-API-Key: <key>`; both=true when it also carries another
// credential (or both headers).
func presentedKey(r *http.Request) (key string, present, both bool) {
	authz := strings.TrimSpace(r.Header.Get("Authorization"))
	header := strings.TrimSpace(r.Header.Get("X-API-Key"))
	scheme, rest, _ := strings.Cut(authz, " ")
	fromAuthz := strings.EqualFold(scheme, "Api-Key")
	switch {
	case header != "" && authz != "":
		return "", true, true
	case header != "":
		return header, true, false
	case fromAuthz:
		return strings.TrimSpace(rest), true, false
	}
	return "", false, false
}

// keyRow is what authentication reads of a key, in one query.
type keyRow struct {
	ID        string `db:"id"`
	User      string `db:"user"`
	Tool      string `db:"tool"`
	Active    bool   `db:"is_active"`
	ExpiresAt string `db:"expires_at"`
	Hash      string `db:"key_hash"`
	PrevHash  string `db:"previous_key_hash"`
	PrevUntil string `db:"previous_key_until"`
	LastUsed  string `db:"last_used"`
}

// findKey returns the key whose current secret, or previous secret within its
// grace period, is secret, if the key is active and not expired; nil otherwise.
func findKey(app core.App, secret string, now time.Time) (*keyRow, error) {
	return findKeyWith(app, nil, secret, now)
}

// keyByHashSQL is findKey's query, prepared once on the read connections
// (prepareKeyLookup): compiling it was a fifth of a keyed use's CPU.
const keyByHashSQL = "SELECT id, user, tool, is_active, expires_at, key_hash, previous_key_hash, previous_key_until, last_used" +
	" FROM tool_api_keys WHERE key_hash = ?1 OR previous_key_hash = ?1 LIMIT 1"

// prepareKeyLookup prepares keyByHashSQL on app's read connections.
func prepareKeyLookup(app core.App) (*sql.Stmt, error) {
	db, ok := app.ConcurrentDB().(*dbx.DB)
	if !ok {
		return nil, fmt.Errorf("api keys: the read connections are %T", app.ConcurrentDB())
	}
	return db.DB().Prepare(keyByHashSQL)
}

// findKeyWith is findKey, with keyByHashSQL prepared (stmt; nil: compiled).
func findKeyWith(app core.App, stmt *sql.Stmt, secret string, now time.Time) (*keyRow, error) {
	if !wellFormed(secret) {
		return nil, nil
	}
	hash := hashSecret(secret)
	k, err := queryKey(app, stmt, hash)
	if k == nil || err != nil {
		return nil, err
	}
	return k.accepting(hash, now), nil
}

// queryKey returns the key whose current or previous secret hashes to hash,
// valid or not; nil if there is none.
func queryKey(app core.App, stmt *sql.Stmt, hash string) (*keyRow, error) {
	var k keyRow
	var err error
	if stmt != nil {
		err = stmt.QueryRow(hash).Scan(&k.ID, &k.User, &k.Tool, &k.Active, &k.ExpiresAt, &k.Hash, &k.PrevHash, &k.PrevUntil, &k.LastUsed)
	} else {
		err = app.DB().Select("id", c.APIKeyUser, c.APIKeyTool, c.APIKeyIsActive, c.APIKeyExpiresAt,
			c.APIKeyHash, c.APIKeyPreviousHash, c.APIKeyPreviousUntil, c.APIKeyLastUsed).
			From(c.ToolAPIKeys).
			Where(dbx.Or(dbx.HashExp{c.APIKeyHash: hash}, dbx.HashExp{c.APIKeyPreviousHash: hash})).
			Limit(1).One(&k)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &k, nil
}

// accepting returns k if a secret hashing to hash opens it at now: its
// current secret, or its previous one within the grace period, of an active
// key not expired; nil otherwise.
func (k *keyRow) accepting(hash string, now time.Time) *keyRow {
	current := subtle.ConstantTimeCompare([]byte(k.Hash), []byte(hash)) == 1
	previous := !current && subtle.ConstantTimeCompare([]byte(k.PrevHash), []byte(hash)) == 1 && after(k.PrevUntil, now)
	if !(current || previous) || !k.Active || (k.ExpiresAt != "" && !after(k.ExpiresAt, now)) {
		return nil
	}
	return k
}

// after reports whether the stored time s is after now.
func after(s string, now time.Time) bool {
	dt, err := types.ParseDateTime(s)
	return err == nil && !dt.IsZero() && dt.Time().After(now)
}

// authenticateKey is the router middleware of API keys: a request presenting
// a key is authenticated as the key's owner, with the key's id stored on the
// event, or refused with 401; what the key may do is then checked (keyPolicy).
// Requests outside /api/ and requests without a key pass untouched.
func (tb *toolbase) authenticateKey(e *core.RequestEvent) error {
	secret, present, both := presentedKey(e.Request)
	if !present || !strings.HasPrefix(e.Request.URL.Path, "/api/") {
		return e.Next()
	}
	if both {
		return keyDeny(e, http.StatusBadRequest, msgTwoCreds)
	}
	now := tb.cfg.now()
	key, err := tb.keyOf(e, secret, now)
	if err != nil {
		return keyFailed(e, err)
	}
	if key == nil {
		return keyDeny(e, http.StatusUnauthorized, msgInvalidKey)
	}
	owner, err := tb.userOf(e, key.User)
	if err != nil || owner.GetBool(c.UserDeactivated) {
		// a deactivated owner's keys stop with it
		return keyDeny(e, http.StatusUnauthorized, msgInvalidKey)
	}
	e.Auth = owner
	e.Set(apiKeyEventKey, key.ID)
	if status, msg, err := keyPolicy(e, key); err != nil {
		return keyFailed(e, err)
	} else if status != 0 {
		return keyDeny(e, status, msg)
	}
	if err := tb.touches.touch(e.App, key, now); err != nil {
		e.App.Logger().Warn("api key: updating last_used", "key", key.ID, "error", err.Error())
	}
	if key.Tool != "" {
		e.App = &scopedApp{App: e.App, tool: key.Tool}
	}
	return e.Next()
}

// isDRFRoute reports whether the request matched a DRF API route (they all
// end in {$}, see route); the others are PocketBase's.
func isDRFRoute(e *core.RequestEvent) bool {
	return strings.HasSuffix(e.Request.Pattern, "{$}")
}

// keyDeny refuses a keyed request in the shape of the API it addressed: DRF's
// {"detail"} on the DRF API, PocketBase's error on its own routes.
func keyDeny(e *core.RequestEvent, status int, msg string) error {
	if status == http.StatusUnauthorized {
		e.Response.Header().Set("WWW-Authenticate", `Api-Key realm="api"`)
	}
	if isDRFRoute(e) {
		return e.JSON(status, map[string]string{"detail": msg})
	}
	return router.NewApiError(status, msg, nil)
}

// keyFailed answers 500 when a key could not be checked, logging why.
func keyFailed(e *core.RequestEvent, err error) error {
	e.App.Logger().Error("api key: checking a request's key", "method", e.Request.Method, "path", e.Request.URL.Path, "error", err.Error())
	if isDRFRoute(e) {
		return e.JSON(http.StatusInternalServerError, map[string]string{"detail": msgServerError})
	}
	return router.NewInternalServerError("", err)
}

// keyNativeRoutes are the PocketBase routes a key may use: the records API and
// file downloads. Everything else there (auth routes that would mint tokens
// or change credentials, realtime, batch, superuser routes) needs a token.
var keyNativeRoutes = map[string]bool{
	"GET /api/collections/{collection}/records":         true,
	"GET /api/collections/{collection}/records/{id}":    true,
	"POST /api/collections/{collection}/records":        true,
	"PATCH /api/collections/{collection}/records/{id}":  true,
	"DELETE /api/collections/{collection}/records/{id}": true,
	"GET /api/files/{collection}/{recordId}/{filename}": true,
	"GET /api/health": true,
}

// scopeCheck decides whether a request of a key scoped to tool may go on.
type scopeCheck func(e *core.RequestEvent, tool string) (allowed bool, err error)

// scopedRoutes are the only routes a key scoped to a tool may use; the
// handlers then see the collections through scopedApp, narrowed to the tool.
var scopedRoutes = map[string]scopeCheck{
	"POST /api/tools/tools/{id}/use/{$}":  toolInPath,
	"GET /api/tools/tools/{id}/{$}":       toolInPath,
	"GET /api/tools/tools/{id}/stats/{$}": toolInPath,
	// usage lists select through the tool_usage rules, narrowed to the tool
	"GET /api/tools/usage/{$}":          anyRequest,
	"GET /api/tools/usage/my_usage/{$}": anyRequest,
	"GET /api/tools/usage/{id}/{$}":     usageInPath,

	"GET /api/collections/{collection}/records":      scopedRecords,
	"GET /api/collections/{collection}/records/{id}": scopedRecords,
}

// keyPolicy says whether the key may make this request: status 0 when it may,
// else the refusal.
func keyPolicy(e *core.RequestEvent, key *keyRow) (int, string, error) {
	pattern := e.Request.Pattern
	if pattern == "/" {
		return 0, "", nil // no such route: the 404 follows
	}
	if key.Tool != "" {
		check, ok := scopedRoutes[pattern]
		if !ok {
			return http.StatusForbidden, msgKeyOutOfScope, nil
		}
		allowed, err := check(e, key.Tool)
		if err != nil || !allowed {
			return http.StatusForbidden, msgKeyOutOfScope, err
		}
		return 0, "", nil
	}
	if isDRFRoute(e) {
		// tokens, accounts, keys and signing secrets (keys_credentials.go)
		if msg := keyDRFRefusal(e); msg != "" {
			return http.StatusForbidden, msg, nil
		}
		return 0, "", nil
	}
	if !keyNativeRoutes[pattern] {
		return http.StatusForbidden, msgKeyNotHere, nil
	}
	if strings.HasPrefix(pattern, e.Request.Method+" /api/collections/") {
		// keys and accounts (keys_credentials.go)
		if msg := keyRecordsRefusal(e); msg != "" {
			return http.StatusForbidden, msg, nil
		}
	}
	return 0, "", nil
}

func anyRequest(*core.RequestEvent, string) (bool, error) { return true, nil }

func toolInPath(e *core.RequestEvent, tool string) (bool, error) {
	return e.Request.PathValue("id") == tool, nil
}

// usageInPath refuses a usage the owner can see but of another tool; one it
// cannot see goes on to the handler's 404.
func usageInPath(e *core.RequestEvent, tool string) (bool, error) {
	usage, err := findVisible(e, c.ToolUsage, e.Request.PathValue("id"))
	if errors.Is(err, errNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return usage.GetString(c.UsageTool) == tool, nil
}

// scopedRecords lets a scoped key read the records API's tools and tool_usage
// (narrowed to its tool by scopedApp), without expanding relations.
func scopedRecords(e *core.RequestEvent, tool string) (bool, error) {
	col, err := e.App.FindCachedCollectionByNameOrId(e.Request.PathValue("collection"))
	if err != nil {
		return true, nil // the handler's 404
	}
	if e.Request.URL.Query().Has("expand") {
		return false, nil
	}
	id := e.Request.PathValue("id")
	switch {
	case col.Name == c.Tools:
		return id == "" || id == tool, nil
	case col.Name == c.ToolUsage && id != "":
		return usageInPath(e, tool)
	case col.Name == c.ToolUsage:
		return true, nil
	}
	return false, nil
}

// scopedApp is the app as a key scoped to a tool sees it: every collection's
// API rules are narrowed to that tool. tools shows only the tool, tool_usage
// only its usage, and every other collection (and every write) is
// superuser-only. Rule-based reads of both APIs (the records API, and the DRF
// API's listQuery/findVisible) go through FindCachedCollectionByNameOrId, and
// so do relation joins of client filters and sorts: nothing outside the scope
// is reachable, even as a filter condition.
type scopedApp struct {
	core.App
	tool string
}

func (a *scopedApp) FindCachedCollectionByNameOrId(nameOrID string) (*core.Collection, error) {
	col, err := a.App.FindCachedCollectionByNameOrId(nameOrID)
	if err != nil {
		return nil, err
	}
	return narrowed(col, a.tool), nil
}

func (a *scopedApp) FindCollectionByNameOrId(nameOrID string) (*core.Collection, error) {
	col, err := a.App.FindCollectionByNameOrId(nameOrID)
	if err != nil {
		return nil, err
	}
	return narrowed(col, a.tool), nil
}

var plainID = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// narrowed returns a copy of col whose rules admit only records of tool.
func narrowed(col *core.Collection, tool string) *core.Collection {
	cp := *col
	cp.CreateRule, cp.UpdateRule, cp.DeleteRule = nil, nil, nil
	cp.ManageRule, cp.AuthRule = nil, nil
	field := map[string]string{c.Tools: c.FieldID, c.ToolUsage: c.UsageTool}[col.Name]
	if field == "" || !plainID.MatchString(tool) {
		cp.ListRule, cp.ViewRule = nil, nil
		return &cp
	}
	cond := field + ` = "` + tool + `"`
	cp.ListRule, cp.ViewRule = andRule(col.ListRule, cond), andRule(col.ViewRule, cond)
	return &cp
}

func andRule(rule *string, cond string) *string {
	switch {
	case rule == nil:
		return nil
	case *rule == "":
		return types.Pointer(cond)
	}
	return types.Pointer("(" + *rule + ") && " + cond)
}

// keyTouches throttles last_used writes: at most one per key per minute, per
// process. Each entry holds the key clock's time of the key's last write and
// expires (in real time) after lastUsedResolution; the least recently used
// go first beyond maxKeyTouches. The mutex makes a check and its claim one
// step, so that concurrent first requests write once.
type keyTouches struct {
	mu   sync.Mutex
	seen *expirable.LRU[string, time.Time]
}

// maxKeyTouches bounds the keys whose last write the throttle remembers.
const maxKeyTouches = 10000

func newKeyTouches() *keyTouches {
	return &keyTouches{seen: expirable.NewLRU[string, time.Time](maxKeyTouches, nil, lastUsedResolution)}
}

// claim reports whether key's last_used is due for a write at now, and
// records that it is being written.
func (t *keyTouches) claim(key string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if last, ok := t.seen.Get(key); ok && now.Sub(last) < lastUsedResolution && !now.Before(last) {
		return false
	}
	t.seen.Add(key, now)
	return true
}

// touch keeps key's last_used fresh to the minute without a write per request.
func (t *keyTouches) touch(app core.App, key *keyRow, now time.Time) error {
	if dt, err := types.ParseDateTime(key.LastUsed); err == nil && !dt.IsZero() {
		if age := now.Sub(dt.Time()); age >= 0 && age < lastUsedResolution {
			return nil
		}
	}
	if !t.claim(key.ID, now) {
		return nil
	}
	stamp, err := types.ParseDateTime(now.UTC())
	if err != nil {
		return err
	}
	_, err = app.DB().Update(c.ToolAPIKeys, dbx.Params{c.APIKeyLastUsed: stamp.String()}, dbx.HashExp{c.FieldID: key.ID}).Execute()
	return err
}

// ---------------------------------------------------------------------------
// Quotas (counted by the ledger, in the use's transaction)

// keyUseError is the DRF API's answer to a use refused because of its API key:
// 429 with Retry-After beyond a quota, 401 for a key no longer valid; nil for
// any other outcome.
func (tb *toolbase) keyUseError(e *core.RequestEvent, err error) error {
	var quota *ledger.KeyQuotaError
	switch {
	case errors.As(err, &quota):
		wait := max(1, int64(quota.ResetAt.Sub(tb.cfg.now())/time.Second))
		e.Response.Header().Set("Retry-After", strconv.FormatInt(wait, 10))
		return errDetail(http.StatusTooManyRequests, quota.Error())
	case errors.Is(err, ledger.ErrKeyInvalid):
		e.Response.Header().Set("WWW-Authenticate", `Api-Key realm="api"`)
		return errInvalidKey
	}
	return nil
}

// ---------------------------------------------------------------------------
// Binding

func (tb *toolbase) bindAPIKeys(app core.App) {
	middleware.Bind(app, "toolbaseAPIKeyAuth", keyAuthPriority, tb.authenticateKey)
	app.OnRecordEnrich(c.ToolAPIKeys).BindFunc(func(e *core.RecordEnrichEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		e.Record.Hide(c.APIKeyPreviousHash)
		return nil
	})
	// a key never changes keys, whatever the route (defence in depth: the
	// middleware already refuses these)
	refuseKeyed := func(e *core.RecordRequestEvent) error {
		if apiKeyOf(e.RequestEvent) != "" {
			return apis.NewForbiddenError(msgKeysNoManage, nil)
		}
		return e.Next()
	}
	app.OnRecordUpdateRequest(c.ToolAPIKeys).BindFunc(refuseKeyed)
	app.OnRecordDeleteRequest(c.ToolAPIKeys).BindFunc(refuseKeyed)
	bindKeyCredentialGuards(app)
}

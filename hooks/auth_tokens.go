package hooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/pocketbase/pocketbase/tools/types"
	"github.com/spf13/cast"

	c "toolbase/collections"
	"toolbase/hooks/djangoimport"
)

// The DRF API's SimpleJWT endpoints (spec section 4):
//
//   - POST /api/token/         {email, password} → {access, refresh}
//   - POST /api/token/refresh/ {refresh}         → {access, refresh} (rotation)
//   - POST /api/token/verify/  {token}           → {}
//
// access is the user's PocketBase auth token, so the same token works on the
// records API, realtime and the SDKs. refresh is toolbase's own HS256 JWT
// (claims token_type "refresh", jti, user_id, iat, exp), signed with a key
// derived from the users collection's auth-token secret and the user's
// tokenKey: a password or email change (which regenerates the tokenKey) or a
// rotation of the collection secret kills every refresh token of the user. A
// refresh token works once: its jti is recorded in used_refresh_tokens by a
// unique insert, so of two concurrent uses exactly one wins.

const (
	tokenTypeRefresh = "refresh"
	// maxTokenChars bounds a token read from a body; real ones are ~300 characters
	maxTokenChars = 4096
	// maxCredentialChars bounds the email and password of a login
	maxCredentialChars = 1024
	// refreshCleanupJob is the cron job that forgets used jtis once they expired
	refreshCleanupJob = "toolbase_used_refresh_tokens_cleanup"
)

// SimpleJWT's messages.
const (
	msgNoActiveAccount = "No active account found with the given credentials"
	msgTokenInvalid    = "Token is invalid or expired"
)

var (
	errBadCredentials = errDetail(http.StatusUnauthorized, msgNoActiveAccount)
	errTokenInvalid   = &apiError{status: http.StatusUnauthorized, body: tokenError{msgTokenInvalid, "token_not_valid"}}
)

// tokenError is SimpleJWT's body for a refused token (a struct, so that the
// keys keep SimpleJWT's order).
type tokenError struct {
	Detail string `json:"detail"`
	Code   string `json:"code"`
}

// bindAuth schedules the hourly purge of expired used refresh tokens.
func bindAuth(app core.App) {
	app.Cron().MustAdd(refreshCleanupJob, "17 * * * *", func() {
		if n, err := purgeUsedRefreshTokens(app); err != nil {
			app.Logger().Error("purging used refresh tokens failed", "error", err.Error())
		} else if n > 0 {
			app.Logger().Debug("purged used refresh tokens", "count", n)
		}
	})
}

func (tb *toolbase) bindTokenRoutes(public group) {
	route(public, "/token/", map[string]handler{http.MethodPost: tb.obtainTokens})
	route(public, "/token/refresh/", map[string]handler{http.MethodPost: tb.refreshTokens})
	route(public, "/token/verify/", map[string]handler{http.MethodPost: verifyToken})
}

// tokenPair is SimpleJWT's answer.
type tokenPair struct {
	Access  string `json:"access"`
	Refresh string `json:"refresh"`
}

// The token routes' bodies.
var (
	tokenObtainBody = &bodySpec{name: "TokenObtainRequest", fields: []bodyField{
		textF("email", maxCredentialChars).req().about("The user's email: as stored, or ignoring case when that names one user."),
		secretF("password", maxCredentialChars).formatted("password").about("Taken exactly as sent (no trimming)."),
	}}
	// a token too long is refused as invalid (401), as any bad token
	tokenRefreshBody = &bodySpec{name: "TokenRefreshRequest", fields: []bodyField{
		secretF("refresh", maxTokenChars).checkedLater(1).about("A refresh token, unused."),
	}}
	tokenVerifyBody = &bodySpec{name: "TokenVerifyRequest", fields: []bodyField{
		secretF("token", maxTokenChars).checkedLater(1).about("An access token, or an unused refresh token."),
	}}
)

// obtainTokens is POST /api/token/: email and password for a token pair.
func (tb *toolbase) obtainTokens(e *core.RequestEvent) error {
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	tokenObtainBody.read(f)
	if err := f.err(); err != nil {
		return err
	}
	email, _ := f.cleanText("email")
	password, _ := f.cleanText("password")

	throttle := tb.logins
	keys := newLoginKeys(e.RealIP(), email)
	if wait := throttle.admit(keys); wait > 0 {
		return errThrottled(e, wait)
	}

	users, err := e.App.FindCachedCollectionByNameOrId(c.Users)
	if err != nil {
		return err
	}
	user, err := findUserByEmail(e.App, users, email)
	if err != nil {
		return err
	}
	// an imported user's Django hash is checked, and converted, here too
	if user == nil || !djangoimport.CheckPassword(e.App, user, password) {
		if user == nil {
			// as PocketBase's auth-with-password: spend a bcrypt comparison
			// anyway, so that timing doesn't tell unknown emails apart
			dummyPasswordCheck(e.App, users)
		}
		throttle.fail(keys)
		return errBadCredentials
	}

	// the collection's auth rule says who may sign in at all, for both APIs
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	if ok, err := e.App.CanAccessRecord(user, info, users.AuthRule); err != nil || !ok {
		return errBadCredentials
	}
	// a password alone must not get around multi-factor authentication
	if needs, err := wantsMFA(e.App, user, info); err != nil || needs {
		return errDetail(http.StatusForbidden, "This account requires multi-factor authentication: sign in through /api/collections/users/auth-with-password.")
	}
	throttle.succeed(keys)

	pair, err := issueTokens(tb.cfg, user)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, pair)
}

// refreshTokens is POST /api/token/refresh/: a refresh token, used once, for a
// new pair.
func (tb *toolbase) refreshTokens(e *core.RequestEvent) error {
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	tokenRefreshBody.read(f)
	if err := f.err(); err != nil {
		return err
	}
	token, _ := f.cleanText("refresh")

	// a refresh is a way to a token too: a locked address gets none, and
	// invalid refresh tokens count as failures of the address
	throttle := tb.logins
	keys := loginKeys{ip: e.RealIP()}
	if wait := throttle.admit(keys); wait > 0 {
		return errThrottled(e, wait)
	}
	user, claims, err := parseRefreshToken(e.App, token)
	if err != nil {
		throttle.fail(keys)
		return errTokenInvalid
	}
	keys.account = strings.ToLower(user.Email())
	if wait := throttle.admit(keys); wait > 0 {
		return errThrottled(e, wait)
	}
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	if ok, err := e.App.CanAccessRecord(user, info, user.Collection().AuthRule); err != nil || !ok {
		return errTokenInvalid
	}

	var pair tokenPair
	err = e.App.RunInTransaction(func(tx core.App) error {
		fresh, err := markRefreshUsed(tx, claims)
		if err != nil {
			return err
		}
		if !fresh {
			return errTokenInvalid
		}
		pair, err = issueTokens(tb.cfg, user)
		return err
	})
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, pair)
}

// verifyToken is POST /api/token/verify/: 200 {} for a valid access token or
// an unused valid refresh token, as SimpleJWT with its blacklist does.
func verifyToken(e *core.RequestEvent) error {
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	tokenVerifyBody.read(f)
	if err := f.err(); err != nil {
		return err
	}
	token, _ := f.cleanText("token")
	if validAccessToken(e.App, token) {
		return e.JSON(http.StatusOK, map[string]any{})
	}
	_, claims, err := parseRefreshToken(e.App, token)
	if err != nil {
		return errTokenInvalid
	}
	used, err := refreshUsed(e.App, claims.ID)
	if err != nil {
		return err
	}
	if used {
		return errTokenInvalid
	}
	return e.JSON(http.StatusOK, map[string]any{})
}

// issueTokens makes a new token pair for user.
func issueTokens(cfg Config, user *core.Record) (tokenPair, error) {
	access, err := newAccessToken(user, cfg.AccessTTL)
	if err != nil {
		return tokenPair{}, fmt.Errorf("signing an access token: %w", err)
	}
	refresh, err := newRefreshToken(user, time.Now(), cfg.RefreshTTL)
	if err != nil {
		return tokenPair{}, err
	}
	return tokenPair{Access: access, Refresh: refresh}, nil
}

// newAccessToken is a PocketBase auth token of user (the claims and key of
// Record.NewStaticAuthToken, so it works on the records API, realtime and the
// SDKs) that also carries SimpleJWT's claims, for DRF clients that read them.
func newAccessToken(user *core.Record, ttl time.Duration) (string, error) {
	return security.NewJWT(jwt.MapClaims{
		core.TokenClaimType:         core.TokenTypeAuth,
		core.TokenClaimId:           user.Id,
		core.TokenClaimCollectionId: user.Collection().Id,
		core.TokenClaimRefreshable:  false,
		"token_type":                "access",
		"user_id":                   user.Id,
		"jti":                       security.RandomString(32),
		"iat":                       time.Now().Unix(),
	}, user.TokenKey()+user.Collection().AuthToken.Secret, ttl)
}

// validAccessToken reports whether token is a live PocketBase auth token of a
// user (not of a superuser: the DRF API issues only users' tokens).
func validAccessToken(app core.App, token string) bool {
	if token == "" || len(token) > maxTokenChars {
		return false
	}
	user, err := app.FindAuthRecordByToken(token, core.TokenTypeAuth)
	return err == nil && user.Collection().Name == c.Users
}

// refreshClaims are the claims of a refresh token, SimpleJWT's names.
type refreshClaims struct {
	TokenType string `json:"token_type"`
	UserID    string `json:"user_id"`
	jwt.RegisteredClaims
}

// refreshKey is the HS256 key of user's refresh tokens: bound to the users
// collection's auth-token secret and to the user's tokenKey, and separate from
// the access token's key.
func refreshKey(user *core.Record) []byte {
	mac := hmac.New(sha256.New, []byte(user.Collection().AuthToken.Secret))
	mac.Write([]byte("toolbase refresh token\x00"))
	mac.Write([]byte(user.TokenKey()))
	return mac.Sum(nil)
}

// newRefreshToken signs a refresh token of user issued at iat, valid for ttl.
func newRefreshToken(user *core.Record, iat time.Time, ttl time.Duration) (string, error) {
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	claims := refreshClaims{
		TokenType: tokenTypeRefresh,
		UserID:    user.Id,
		RegisteredClaims: jwt.RegisteredClaims{
			ID:        hex.EncodeToString(jti),
			IssuedAt:  jwt.NewNumericDate(iat),
			ExpiresAt: jwt.NewNumericDate(iat.Add(ttl)),
		},
	}
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(refreshKey(user))
	if err != nil {
		return "", fmt.Errorf("signing a refresh token: %w", err)
	}
	return token, nil
}

var errNotRefresh = errors.New("not a refresh token")

// parseRefreshToken checks a refresh token's type, signature and lifetime (not
// whether it was used) and loads its user.
func parseRefreshToken(app core.App, token string) (*core.Record, *refreshClaims, error) {
	if token == "" || len(token) > maxTokenChars {
		return nil, nil, errNotRefresh
	}
	claims := &refreshClaims{}
	var user *core.Record
	_, err := jwt.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		cl, ok := t.Claims.(*refreshClaims)
		if !ok || cl.TokenType != tokenTypeRefresh || cl.UserID == "" || cl.ID == "" || len(cl.ID) > 64 ||
			cl.ExpiresAt == nil || !cl.ExpiresAt.After(time.Now()) {
			return nil, errNotRefresh
		}
		u, err := app.FindRecordById(c.Users, cl.UserID)
		if err != nil {
			return nil, err
		}
		user = u
		return refreshKey(u), nil
	}, jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	if err != nil {
		return nil, nil, err
	}
	return user, claims, nil
}

// markRefreshUsed records the token's jti and reports whether it was unused: a
// unique insert, so two concurrent uses cannot both see it fresh.
func markRefreshUsed(tx core.App, claims *refreshClaims) (bool, error) {
	now := types.NowDateTime().String()
	exp, err := types.ParseDateTime(claims.ExpiresAt.Time)
	if err != nil {
		return false, err
	}
	res, err := tx.DB().NewQuery("INSERT INTO {{" + c.UsedRefreshTokens + "}}" +
		" ([[id]], [[" + c.UsedRefreshJTI + "]], [[" + c.UsedRefreshUser + "]], [[" + c.UsedRefreshExpiresAt + "]], [[created_at]], [[updated_at]])" +
		" VALUES ({:id}, {:jti}, {:user}, {:exp}, {:now}, {:now}) ON CONFLICT DO NOTHING").Bind(dbx.Params{
		"id": core.GenerateDefaultRandomId(), "jti": claims.ID, "user": claims.UserID, "exp": exp.String(), "now": now,
	}).Execute()
	if err != nil {
		return false, fmt.Errorf("recording a used refresh token: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// refreshUsed reports whether the refresh token jti was already exchanged.
func refreshUsed(app core.App, jti string) (bool, error) {
	var n int
	err := app.DB().Select("COUNT(*)").From(c.UsedRefreshTokens).Where(dbx.HashExp{c.UsedRefreshJTI: jti}).Row(&n)
	return n > 0, err
}

// purgeUsedRefreshTokens forgets the jtis of refresh tokens that expired:
// they are refused on their expiry anyway.
func purgeUsedRefreshTokens(app core.App) (int64, error) {
	res, err := app.DB().NewQuery("DELETE FROM {{" + c.UsedRefreshTokens + "}} WHERE [[" + c.UsedRefreshExpiresAt + "]] < {:now}").
		Bind(dbx.Params{"now": types.NowDateTime().String()}).Execute()
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// formSecret reads a password or token as sent (no trimming); max < 0 means no
// limit beyond the body's.
func formSecret(f *form, field string, max int) (string, bool) {
	v, ok := f.take(field, true)
	if !ok {
		return "", false
	}
	s, isString := v.(string)
	switch {
	case !isString:
		f.errs.Add(field, "Not a valid string.")
		return "", false
	case s == "":
		f.errs.Add(field, "This field may not be blank.")
		return "", false
	case max >= 0 && len([]rune(s)) > max:
		f.errs.Add(field, fmt.Sprintf("Ensure this field has no more than %d characters.", max))
		return "", false
	}
	f.keep(field, s)
	return s, true
}

// dummyPasswordCheck spends a bcrypt comparison at the collection's cost, as
// PocketBase's auth-with-password does for unknown identities
// (apis/record_auth_with_password.go; unexported there).
func dummyPasswordCheck(app core.App, users *core.Collection) {
	record := &core.Record{}
	if err := app.RecordQuery(users).Limit(1).One(record); err != nil {
		return
	}
	_ = record.ValidatePassword("")
}

// wantsMFA reports whether the users collection requires a second factor of
// user (PocketBase's rule: MFA enabled and its rule, if any, matching).
func wantsMFA(app core.App, user *core.Record, info *core.RequestInfo) (bool, error) {
	mfa := user.Collection().MFA
	if !mfa.Enabled {
		return false, nil
	}
	if mfa.Rule == "" {
		return true, nil
	}
	return app.CanAccessRecord(user, info, &mfa.Rule)
}

// findUserByEmail finds the user with email, ignoring case (the users' email
// index is COLLATE NOCASE, so at most one matches); nil when there is none.
func findUserByEmail(app core.App, users *core.Collection, email string) (*core.Record, error) {
	user, err := app.FindAuthRecordByEmail(users, email)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return user, err
}

// capTokenLifetime returns token when it expires within ttl, else a token of
// the same record and kind (refreshable or not) that lives ttl.
func capTokenLifetime(record *core.Record, token string, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return token, nil
	}
	claims, err := security.ParseUnverifiedJWT(token)
	if err != nil {
		return "", err
	}
	if exp := cast.ToInt64(claims["exp"]); exp > 0 && !time.Unix(exp, 0).After(time.Now().Add(ttl)) {
		return token, nil
	}
	return security.NewJWT(jwt.MapClaims{
		core.TokenClaimType:         core.TokenTypeAuth,
		core.TokenClaimId:           record.Id,
		core.TokenClaimCollectionId: record.Collection().Id,
		core.TokenClaimRefreshable:  cast.ToBool(claims[core.TokenClaimRefreshable]),
	}, record.TokenKey()+record.Collection().AuthToken.Secret, ttl)
}

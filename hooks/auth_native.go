package hooks

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	c "toolbase/collections"
	"toolbase/hooks/internal/middleware"
)

// PocketBase's own ways to a users token obey the DRF API's rules:
//
//   - auth-with-password, auth-with-otp, auth-with-oauth2 and auth-refresh of
//     the users collection go through the failed-login throttle that guards
//     POST /api/token/ (auth_throttle.go): one lock for both surfaces, refused
//     attempts answer PocketBase's 429 with Retry-After before any check;
//   - every users token PocketBase issues (those routes, impersonation) lives
//     at most TOOLBASE_ACCESS_TOKEN_TTL instead of the collection's 5 days; a
//     refreshable token stays refreshable, so the SDKs' authRefresh keeps a
//     session alive the way it does with PocketBase's defaults.

const nativeThrottleHook = "toolbaseLoginThrottle"

// bindNativeAuth binds the throttle to PocketBase's auth routes and caps the
// lifetime of the users' tokens.
func (tb *toolbase) bindNativeAuth(app core.App) {
	// after the body limit and the auth token's loading
	middleware.Bind(app, nativeThrottleHook, apis.DefaultBodyLimitMiddlewarePriority+1, tb.throttleNativeAuth)
	app.OnRecordAuthRequest(c.Users).BindFunc(func(e *core.RecordAuthRequestEvent) error {
		token, err := capTokenLifetime(e.Record, e.Token, tb.cfg.AccessTTL)
		if err != nil {
			return e.InternalServerError("Failed to create auth token.", err)
		}
		e.Token = token
		return e.Next()
	})
}

// nativeAuthAction returns the auth action ("auth-with-password", …) of a
// request to the users collection's auth routes, or "".
func nativeAuthAction(e *core.RequestEvent) string {
	if e.Request.Method != http.MethodPost {
		return ""
	}
	rest, ok := strings.CutPrefix(e.Request.URL.Path, "/api/collections/")
	if !ok {
		return ""
	}
	collection, action, ok := strings.Cut(rest, "/")
	switch {
	case !ok:
		return ""
	case action != "auth-with-password" && action != "auth-with-otp" && action != "auth-with-oauth2" && action != "auth-refresh":
		return ""
	}
	users, err := e.App.FindCachedCollectionByNameOrId(c.Users)
	if err != nil || (collection != users.Name && collection != users.Id) {
		return ""
	}
	return action
}

// throttleNativeAuth is the throttle around PocketBase's users auth routes.
func (tb *toolbase) throttleNativeAuth(e *core.RequestEvent) error {
	action := nativeAuthAction(e)
	if action == "" {
		return e.Next()
	}
	keys := loginKeys{ip: e.RealIP(), slow: true}
	switch action {
	case "auth-with-password":
		var body struct {
			Identity string `json:"identity" form:"identity"`
		}
		// the router keeps the body re-readable: PocketBase reads it again
		if err := e.BindBody(&body); err == nil && len(body.Identity) <= maxCredentialChars {
			keys.account = strings.ToLower(strings.TrimSpace(body.Identity))
		}
	case "auth-with-otp":
		var body struct {
			OTPId string `json:"otpId" form:"otpId"`
		}
		if err := e.BindBody(&body); err == nil && body.OTPId != "" && len(body.OTPId) <= 255 {
			if otp, err := e.App.FindOTPById(body.OTPId); err == nil {
				if user, err := e.App.FindRecordById(otp.CollectionRef(), otp.RecordRef()); err == nil {
					keys.account = strings.ToLower(user.Email())
				}
			}
		}
	case "auth-refresh":
		// refreshing a token one holds is not guessing: only locks apply
		keys.slow = false
		if e.Auth != nil && e.Auth.Collection().Name == c.Users {
			keys.account = strings.ToLower(e.Auth.Email())
		}
	}

	throttle := tb.logins
	if wait := throttle.admit(keys); wait > 0 {
		secs := retryAfter(e, wait)
		return e.TooManyRequestsError(fmt.Sprintf("Too many failed login attempts. Try again in %d seconds.", secs), nil)
	}
	err := e.Next()
	var apiErr *router.ApiError
	switch {
	case err == nil || errors.Is(err, apis.ErrMFA):
		// the credential was right (with MFA, the first factor)
		throttle.succeed(keys)
	case errors.As(err, &apiErr) && (apiErr.Status == http.StatusBadRequest || apiErr.Status == http.StatusUnauthorized):
		// a wrong password, OTP or OAuth2 code, or an invalid token to refresh
		throttle.fail(keys)
	}
	return err
}

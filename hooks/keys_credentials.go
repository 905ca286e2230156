package hooks

import (
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// API keys and credentials (issue 11): an API key is a credential for calling
// tools and reading data. It never changes a credential (password, email,
// tokenKey, verified, emailVisibility) nor a role, never obtains, refreshes or
// verifies a token, never creates, deletes or administers an account, never
// manages keys, signing secrets or superusers. A leaked key must not be
// turned into a login.
//
// Two layers: keyPolicy refuses such routes before any handler runs (on the
// DRF API by route, on the records API by collection and record), and
// record request hooks refuse them again whatever the route (batch
// sub-requests included, which carry the base request's headers but not its
// event store).

const (
	msgKeyNoCredentials = "An API key cannot change a password, email, verification, token key or role; authenticate with a token."
	msgKeyNoTokens      = "An API key cannot obtain, refresh or verify a token; send the credentials without the API key."
	msgKeyNoAccounts    = "An API key cannot create, delete or administer accounts; authenticate with a token."
	msgKeyNoSigning     = "An API key cannot rotate a tool's signing secret; authenticate with a token."
	msgKeyNoMoney       = "An API key cannot grant, deduct, pay out or refund points; authenticate with a token."
)

// keyed reports whether the request is made with an API key: authenticated by
// one, or (a batch sub-request) carrying one in its headers.
func keyed(e *core.RequestEvent) bool {
	if e == nil {
		return false
	}
	if apiKeyOf(e) != "" {
		return true
	}
	if e.Request == nil {
		return false
	}
	_, present, _ := presentedKey(e.Request)
	return present
}

// keyDRFRefusals are the DRF routes a key may not use, by path, with the
// methods refused ("*": all) and the refusal.
var keyDRFRefusals = map[string]struct {
	methods string
	msg     string
}{
	"/api/token/{$}":                           {"*", msgKeyNoTokens},
	"/api/token/refresh/{$}":                   {"*", msgKeyNoTokens},
	"/api/token/verify/{$}":                    {"*", msgKeyNoTokens},
	"/api/users/register/{$}":                  {"*", msgKeyNoAccounts},
	"/api/users/users/{id}/{$}":                {"PUT PATCH DELETE", msgKeyNoAccounts},
	"/api/users/users/{id}/change_role/{$}":    {"*", msgKeyNoAccounts},
	"/api/tools/tools/{id}/signing_secret/{$}": {"*", msgKeyNoSigning},
	// an admin's money decisions are made by a person signed in, not a script
	"/api/users/users/{id}/add_points/{$}":    {"*", msgKeyNoMoney},
	"/api/users/users/{id}/deduct_points/{$}": {"*", msgKeyNoMoney},
	"/api/payouts/{id}/approve/{$}":           {"*", msgKeyNoMoney},
	"/api/payouts/{id}/reject/{$}":            {"*", msgKeyNoMoney},
	"/api/payouts/{id}/mark_paid/{$}":         {"*", msgKeyNoMoney},
	"/api/refunds/{id}/approve/{$}":           {"*", msgKeyNoMoney},
	"/api/refunds/{id}/reject/{$}":            {"*", msgKeyNoMoney},
	"/api/tools/api-keys/{$}":                 {"POST PUT PATCH DELETE", msgKeysNoManage},
	"/api/tools/api-keys/{id}/{$}":            {"POST PUT PATCH DELETE", msgKeysNoManage},
	"/api/tools/api-keys/{id}/regenerate/{$}": {"*", msgKeysNoManage},
}

// keyDRFRefusal says why a key may not make this DRF API request, or "".
func keyDRFRefusal(e *core.RequestEvent) string {
	method, path, _ := strings.Cut(e.Request.Pattern, " ")
	r, ok := keyDRFRefusals[path]
	if ok && (r.methods == "*" || strings.Contains(" "+r.methods+" ", " "+method+" ")) {
		return r.msg
	}
	return ""
}

// keyRecordsRefusal says why a key may not make this records API write, or
// "": it never creates or deletes an auth record (users, _superusers, any
// other auth collection), and updates only its owner's own user record, the
// fields then checked by the update hook.
func keyRecordsRefusal(e *core.RequestEvent) string {
	method := e.Request.Method
	if method == http.MethodGet || method == http.MethodHead {
		return ""
	}
	col, err := e.App.FindCachedCollectionByNameOrId(e.Request.PathValue("collection"))
	if err != nil {
		return "" // the handler's 404
	}
	switch {
	case col.Name == c.ToolAPIKeys:
		return msgKeysNoManage
	case !col.IsAuth():
		return ""
	case method == http.MethodPatch && col.Name == c.Users && e.Auth != nil && e.Request.PathValue("id") == e.Auth.Id:
		return ""
	}
	return msgKeyNoAccounts
}

// credentialFields are the auth record fields a key never writes (the
// password's form fields included): sent at all, the request is refused.
var credentialFields = []string{
	core.FieldNamePassword, "passwordConfirm", "oldPassword",
	core.FieldNameEmail, core.FieldNameEmailVisibility, core.FieldNameVerified, core.FieldNameTokenKey,
	c.UserRole,
}

// credentialChange says whether a keyed update of the auth record e.Record
// touches a credential: in its body (modifiers such as "role+" included) or
// in the loaded record.
func credentialChange(e *core.RecordRequestEvent) (bool, error) {
	info, err := e.RequestInfo()
	if err != nil {
		return false, err
	}
	// the body as sent: PocketBase drops hidden fields (tokenKey) from
	// info.Body, silently; a key sending one is refused all the same
	sent := map[string]any{}
	if err := e.BindBody(&sent); err != nil {
		sent = map[string]any{}
	}
	for _, body := range []map[string]any{info.Body, sent} {
		for name := range body {
			if isCredentialField(strings.Trim(name, "+-")) {
				return true, nil
			}
		}
	}
	original := e.Record.Original()
	for _, name := range []string{core.FieldNameEmail, core.FieldNameEmailVisibility, core.FieldNameVerified,
		core.FieldNameTokenKey, core.FieldNamePassword + ":hash", c.UserRole} {
		if e.Record.GetString(name) != original.GetString(name) {
			return true, nil
		}
	}
	return false, nil
}

func isCredentialField(name string) bool {
	for _, f := range credentialFields {
		if strings.EqualFold(name, f) {
			return true
		}
	}
	return false
}

// bindKeyCredentialGuards binds the hooks that refuse, whatever the route,
// a keyed request that would change credentials or accounts or mint a token.
func bindKeyCredentialGuards(app core.App) {
	refuse := func(re *core.RequestEvent, msg string, next func() error) error {
		if keyed(re) {
			return apis.NewForbiddenError(msg, nil)
		}
		return next()
	}

	// accounts, on the records API and the batch API
	app.OnRecordCreateRequest().BindFunc(func(e *core.RecordRequestEvent) error {
		if e.Collection.IsAuth() {
			return refuse(e.RequestEvent, msgKeyNoAccounts, e.Next)
		}
		return e.Next()
	})
	app.OnRecordDeleteRequest().BindFunc(func(e *core.RecordRequestEvent) error {
		if e.Collection.IsAuth() {
			return refuse(e.RequestEvent, msgKeyNoAccounts, e.Next)
		}
		return e.Next()
	})
	app.OnRecordUpdateRequest().BindFunc(func(e *core.RecordRequestEvent) error {
		if !e.Collection.IsAuth() || !keyed(e.RequestEvent) {
			return e.Next()
		}
		if e.Auth == nil || e.Auth.Collection().Id != e.Collection.Id || e.Auth.Id != e.Record.Id {
			return apis.NewForbiddenError(msgKeyNoAccounts, nil)
		}
		changed, err := credentialChange(e)
		if err != nil {
			return err
		}
		if changed {
			return apis.NewForbiddenError(msgKeyNoCredentials, nil)
		}
		return e.Next()
	})

	// tokens: every PocketBase route that answers a token goes through
	// OnRecordAuthRequest; the flows before it are refused too
	app.OnRecordAuthRequest().BindFunc(func(e *core.RecordAuthRequestEvent) error {
		return refuse(e.RequestEvent, msgKeyNoTokens, e.Next)
	})
	app.OnRecordAuthWithPasswordRequest().BindFunc(func(e *core.RecordAuthWithPasswordRequestEvent) error {
		return refuse(e.RequestEvent, msgKeyNoTokens, e.Next)
	})
	app.OnRecordAuthRefreshRequest().BindFunc(func(e *core.RecordAuthRefreshRequestEvent) error {
		return refuse(e.RequestEvent, msgKeyNoTokens, e.Next)
	})
	app.OnRecordAuthWithOTPRequest().BindFunc(func(e *core.RecordAuthWithOTPRequestEvent) error {
		return refuse(e.RequestEvent, msgKeyNoTokens, e.Next)
	})
	app.OnRecordAuthWithOAuth2Request().BindFunc(func(e *core.RecordAuthWithOAuth2RequestEvent) error {
		return refuse(e.RequestEvent, msgKeyNoTokens, e.Next)
	})
	app.OnRecordRequestOTPRequest().BindFunc(func(e *core.RecordCreateOTPRequestEvent) error {
		return refuse(e.RequestEvent, msgKeyNoTokens, e.Next)
	})
	app.OnFileTokenRequest().BindFunc(func(e *core.FileTokenRequestEvent) error {
		return refuse(e.RequestEvent, msgKeyNoTokens, e.Next)
	})
	app.OnRecordRequestPasswordResetRequest().BindFunc(func(e *core.RecordRequestPasswordResetRequestEvent) error {
		return refuse(e.RequestEvent, msgKeyNoCredentials, e.Next)
	})
	app.OnRecordConfirmPasswordResetRequest().BindFunc(func(e *core.RecordConfirmPasswordResetRequestEvent) error {
		return refuse(e.RequestEvent, msgKeyNoCredentials, e.Next)
	})
	app.OnRecordRequestVerificationRequest().BindFunc(func(e *core.RecordRequestVerificationRequestEvent) error {
		return refuse(e.RequestEvent, msgKeyNoCredentials, e.Next)
	})
	app.OnRecordConfirmVerificationRequest().BindFunc(func(e *core.RecordConfirmVerificationRequestEvent) error {
		return refuse(e.RequestEvent, msgKeyNoCredentials, e.Next)
	})
	app.OnRecordRequestEmailChangeRequest().BindFunc(func(e *core.RecordRequestEmailChangeRequestEvent) error {
		return refuse(e.RequestEvent, msgKeyNoCredentials, e.Next)
	})
	app.OnRecordConfirmEmailChangeRequest().BindFunc(func(e *core.RecordConfirmEmailChangeRequestEvent) error {
		return refuse(e.RequestEvent, msgKeyNoCredentials, e.Next)
	})
	app.OnBatchRequest().BindFunc(func(e *core.BatchRequestEvent) error {
		return refuse(e.RequestEvent, msgKeyNotHere, e.Next)
	})
}

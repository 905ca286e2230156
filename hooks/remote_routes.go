package hooks

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// signingSecretRoute is POST /api/tools/tools/{id}/signing_secret/: a new
// secret for the tool's calls, shown this once (the old one stops at once).
func signingSecretRoute(e *core.RequestEvent) error {
	if _, err := readForm(e, maxBodyBytes); err != nil {
		return err
	}
	tool, err := findToEdit(e, c.Tools, e.Request.PathValue("id"), errForbidden)
	if err != nil {
		return err
	}
	secret := newSigningSecret()
	tool.Set(c.ToolSigningSecret, secret)
	if err := ledger.SaveSystem(e.App, tool); err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]string{"signing_secret": secret})
}

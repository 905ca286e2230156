package hooks

import (
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	c "toolbase/collections"
)

// toolbase's extension to the DRF API: a creator tries its own tool in any
// status before submitting it, free, as its uses of its own ACTIVE tools
// already are. Everyone else keeps the DRF API's answers: 404 for a tool they
// can't see, "Cannot use this tool" for one they see that is not ACTIVE.
func TestCreatorTriesOwnToolInAnyStatus(t *testing.T) {
	app := newTestApp(t)
	base := serve(t, app)

	for _, tool := range []struct{ name, id string }{
		{"DRAFT", fx.draft}, {"PENDING", fx.pending}, {"INACTIVE", fx.inactive}, {"SUSPENDED", fx.suspended},
	} {
		status, body := post(t, base+useURL(tool.id), fx.creator.auth, "", `{"input_data":{"text":"try"}}`)
		if status != 200 || !strings.Contains(body, `"points_spent":0`) || !strings.Contains(body, `"success":true`) {
			t.Errorf("the creator tries its %s tool: %d %s", tool.name, status, body)
		}
		if n := count(t, app, c.ToolUsage, dbx.HashExp{c.UsageTool: tool.id, c.UsageUser: fx.creator.id}); n != 1 {
			t.Errorf("%s: %d usage rows of the creator, want 1", tool.name, n)
		}
	}
	if n := count(t, app, c.PointTransactions, dbx.HashExp{c.TxUser: fx.creator.id}); n != 0 {
		t.Errorf("the creator's free tries wrote %d ledger rows", n)
	}

	// others: a client and another creator can't see a draft; an admin sees it but can't use it
	for _, who := range []struct {
		name   string
		user   fixtureUser
		status int
		want   string
	}{
		{"a client", fx.client, 404, `"detail":"Not found."`},
		{"another creator", fx.creator2, 404, `"detail":"Not found."`},
		{"an admin", fx.admin, 400, `"non_field_errors":["Cannot use this tool"]`},
	} {
		status, body := post(t, base+useURL(fx.draft), who.user.auth, "", `{"input_data":{}}`)
		if status != who.status || !strings.Contains(body, who.want) {
			t.Errorf("%s uses the draft: %d %s", who.name, status, body)
		}
	}
	if balance(t, app, fx.client.id) != fixturePoints {
		t.Error("the client's balance moved")
	}
	mustVerify(t, app)
}

package hooks

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// TestFilterGuardIdentifiers: what the guard allows and refuses, identifier
// by identifier, for a client, an admin and a guest.
func TestFilterGuardIdentifiers(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	usage, err := app.FindCollectionByNameOrId(c.ToolUsage)
	if err != nil {
		t.Fatal(err)
	}
	client, err := app.FindRecordById(c.Users, fx.client.id)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := app.FindRecordById(c.Users, fx.admin.id)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		auth         *core.Record
		filter, sort string
		allowed      bool
	}{
		{client, `tool = "x" && success = true && created_at >= @todayStart`, "-created_at,id", true},
		{client, `tool.name:lower ~ "x" || tool.creator.role = "ADMIN"`, "tool.name", true},
		{client, `input_data.a.0.b = 1 && output_data:length > 0`, "@random", true},
		{client, `state = null || success = false || success = true`, "@rowid", true},
		{client, `geoDistance(1, 2, 3, 4) < 5 && strftime("%Y", created_at) = "2026"`, "", true},
		{nil, `tool.status = "ACTIVE"`, "", true},
		{admin, `remaining_points > 0 && idempotency_key != "" && creator_earning > 0`, "-remaining_points", true},

		{client, `remaining_points > 0`, "", false},
		{client, ``, "idempotency_key", false},
		{client, `geoDistance(remaining_points, 0, 0, 0) > 0`, "", false},
		{client, `strftime("%Y", idempotency_key) = "2026"`, "", false},
		{client, `(success = true && (tool.name ~ "a" || creator_earning > 1))`, "", false},
		{client, `point_transactions_via_usage.amount > 0`, "", false},
		{client, `tool.tool_usage_via_tool.id != ""`, "", false},
		{client, `tool.signing_secret = ""`, "", false},
		{client, `api_key.key_hash = ""`, "", false},
		{client, `api_key.previous_key_hash = ""`, "", false},
		{client, `user.password != ""`, "", false},
		{client, `user.tokenKey != ""`, "", false},
		{client, `@collection.tool_usage.id != ""`, "", false},
		{client, `@request.body.tool.signing_secret != ""`, "", false},
		{client, `@request.auth.id != ""`, "", false}, // as PocketBase: @request.* is the superusers'
		{client, `tool:each = "x"`, "", true},
		{client, `tool.name:weird = "x"`, "", false},
		{client, `tool:lower.name = "x"`, "", false},
		{client, `nosuchfield = 1`, "", false},
		{client, `success.name = 1`, "", false},
		{client, `tool = "x" &&`, "", false},
		{admin, `point_transactions_via_usage.amount > 0`, "", false},
		{admin, `tool.signing_secret = ""`, "", false},
		{nil, `remaining_points > 0`, "", false},
	} {
		err := checkClientFilter(app, usage, tc.auth, tc.filter)
		if err == nil {
			err = checkClientSort(app, usage, tc.auth, tc.sort)
		}
		if (err == nil) != tc.allowed {
			who := "guest"
			if tc.auth != nil {
				who = tc.auth.GetString(c.UserRole)
			}
			t.Errorf("%s filter %q sort %q: allowed=%v, error %v", who, tc.filter, tc.sort, err == nil, err)
		}
	}
}

// TestFilterGuardTopicForms: realtime topics name a collection by name or
// id, with or without "/*", or a record: the guard reads them all.
func TestFilterGuardTopicForms(t *testing.T) {
	t.Parallel()
	w := newOracleWorld(t)
	tools, err := w.app.FindCollectionByNameOrId(c.Tools)
	if err != nil {
		t.Fatal(err)
	}
	opts, _ := json.Marshal(map[string]any{"query": map[string]any{"filter": `tool_usage_via_tool.idempotency_key != ""`}})
	o := "?options=" + url.QueryEscape(string(opts))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rc := w.connect(t, ctx)
	for _, topic := range []string{
		c.Tools + "/*" + o, tools.Id + "/*" + o, c.Tools + o, tools.Id + o, c.Tools + "/" + fx.active + o,
	} {
		if s := w.subscribe(t, rc, fx.client2.auth, "custom-topic", topic); s != 400 {
			t.Errorf("topic %s: %d, want 400", topic, s)
		}
	}
	if s := w.subscribe(t, rc, fx.client2.auth, "custom-topic"+o, c.Tools+"/*"); s != 204 {
		t.Errorf("a custom topic's options are not the guard's: %d", s)
	}
}

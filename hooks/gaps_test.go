package hooks

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
)

// setNames gives the fixture users first and last names other than their
// usernames: creator2 "Ada Lovelace", creator " Charles " (no last name),
// client none at all, client2 only a last name.
func setNames(t testing.TB, app core.App) {
	t.Helper()
	for _, u := range []struct{ id, first, last string }{
		{fx.creator2.id, "Ada", "Lovelace"},
		{fx.creator.id, " Charles ", ""},
		{fx.client.id, "", ""},
		{fx.client2.id, "", "Hopper"},
	} {
		r, err := app.FindRecordById(c.Users, u.id)
		if err != nil {
			t.Fatal(err)
		}
		r.Set(c.UserFirstName, u.first)
		r.Set(c.UserLastName, u.last)
		if err := saveSystem(app, r); err != nil {
			t.Fatal(err)
		}
	}
}

// *_name fields are Django's get_full_name(): "first last", stripped, empty
// when both are empty, never the username.
func TestFullNames(t *testing.T) {
	setup := func(t testing.TB, app *tests.TestApp) {
		setNames(t, app)
		addReview(t, app, "fbnamesclient01", fx.client.id, fx.active, true)
		addReview(t, app, "fbnamesclient02", fx.client2.id, fx.active, true)
	}
	runCases(t, []apiCase{
		{name: "tool list: creator_name", method: "GET", url: "/api/tools/tools/?creator=" + fx.creator2.id, auth: fx.client.auth, setup: setup,
			status: 200, want: []string{`"creator_name":"Ada Lovelace"`}, notWant: []string{`"creator_name":"creator2"`}},
		{name: "tool list: creator_name empty when both names are, not the username", method: "GET", url: "/api/tools/tools/?creator=" + fx.creator2.id,
			auth: fx.client.auth, setup: func(t testing.TB, app *tests.TestApp) {
				r, err := app.FindRecordById(c.Users, fx.creator2.id)
				if err != nil {
					t.Fatal(err)
				}
				r.Set(c.UserFirstName, "")
				if err := saveSystem(app, r); err != nil {
					t.Fatal(err)
				}
			},
			status: 200, want: []string{`"creator_name":""`}, notWant: []string{`"creator_name":"creator2"`}},
		{name: "tool detail: creator_name stripped", method: "GET", url: toolURL(fx.active), auth: fx.client.auth, setup: setup,
			status: 200, want: []string{`"creator_name":"Charles"`}},
		{name: "search: creator_name", method: "GET", url: "/api/tools/tools/search/?q=ACTIVE", auth: fx.client.auth, setup: setup,
			status: 200, want: []string{`"creator_name":"Charles"`, `"creator_name":"Ada Lovelace"`}},
		{name: "feedback: user_name, empty without names", method: "GET", url: "/api/tools/feedback/", auth: fx.admin.auth, setup: setup,
			status: 200, want: []string{`"user_name":"","rating"`, `"user_name":"Hopper"`},
			notWant: []string{`"user_name":"client"`, `"user_name":"client2"`}},
		{name: "tool's public feedback: user_name", method: "GET", url: toolURL(fx.active) + "feedback/", auth: fx.client.auth, setup: setup,
			status: 200, want: []string{`"user_name":"Hopper"`}, notWant: []string{`"user_name":"client2"`}},
		{name: "platform stats: top_creators' creator_name", method: "GET", url: "/api/tools/usage/stats/?from=2025-01-01&to=2025-01-31",
			auth: fx.admin.auth, setup: setup,
			status: 200, want: []string{`"creator_name":"Charles"`, `"creator_name":"Ada Lovelace"`},
			notWant: []string{`"creator_name":"creator"`, `"creator_name":"creator2"`}},
	})
}


package hooks

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
)

func TestRulesToolFeedback(t *testing.T) {
	t.Parallel()
	feedback := records(c.ToolFeedback)
	client, client2, creator, creator2, admin := fx.client, fx.client2, fx.creator, fx.creator2, fx.admin
	body := `{"tool":"` + fx.other + `","user":"` + client.id + `","rating":5,"comment":"great"}`

	cases := []ruleCase{
		// list and view: public reviews for everyone signed in; private ones for
		// their author, the tool's creator and admins
		{name: "anonymous lists no review", method: http.MethodGet, url: feedback,
			status: 200, want: []string{total(0)}, notWant: ids(reviewOfClient, reviewOfClient2)},
		{name: "client lists public reviews", method: http.MethodGet, url: feedback, as: client.auth,
			status: 200, want: []string{total(1), idOf(reviewOfClient)}, notWant: []string{idOf(reviewOfClient2)}},
		{name: "author lists its private review too", method: http.MethodGet, url: feedback, as: client2.auth,
			status: 200, want: join([]string{total(2)}, ids(reviewOfClient, reviewOfClient2))},
		{name: "creator lists public reviews but not private ones of others' tools", method: http.MethodGet, url: feedback, as: creator.auth,
			status: 200, want: []string{total(1), idOf(reviewOfClient)}, notWant: []string{idOf(reviewOfClient2)}},
		{name: "creator lists private reviews of its tools", method: http.MethodGet, url: feedback, as: creator2.auth,
			status: 200, want: join([]string{total(2)}, ids(reviewOfClient, reviewOfClient2))},
		{name: "admin lists every review", method: http.MethodGet, url: feedback, as: admin.auth,
			status: 200, want: join([]string{total(2)}, ids(reviewOfClient, reviewOfClient2))},
		{name: "anonymous views a public review", method: http.MethodGet, url: record(c.ToolFeedback, reviewOfClient),
			status: 404, want: pbNotFound, events: noHooks},
		{name: "client views a public review", method: http.MethodGet, url: record(c.ToolFeedback, reviewOfClient), as: client2.auth,
			status: 200, want: []string{idOf(reviewOfClient)}},
		{name: "client views another's private review", method: http.MethodGet, url: record(c.ToolFeedback, reviewOfClient2), as: client.auth,
			status: 404, want: pbNotFound, events: noHooks},
		{name: "creator views a private review of another's tool", method: http.MethodGet, url: record(c.ToolFeedback, reviewOfClient2), as: creator.auth,
			status: 404, want: pbNotFound, events: noHooks},
		{name: "creator views a private review of its tool", method: http.MethodGet, url: record(c.ToolFeedback, reviewOfClient2), as: creator2.auth,
			status: 200, want: []string{idOf(reviewOfClient2)}},
		{name: "admin views a private review", method: http.MethodGet, url: record(c.ToolFeedback, reviewOfClient2), as: admin.auth,
			status: 200, want: []string{idOf(reviewOfClient2)}},
	}
	// create: one's own review; the hooks then want a use of the tool and not
	// one's own tool (creates that pass are in feedback_test.go)
	reviews := func(n int64) func(testing.TB, *tests.TestApp) { return countIs(c.ToolFeedback, nil, n) }
	cases = append(cases,
		ruleCase{name: "anonymous creates a review", method: http.MethodPost, url: feedback, body: body,
			status: 400, want: createRefused, events: noHooks, after: reviews(2)},
		ruleCase{name: "admin creates a review for a client", method: http.MethodPost, url: feedback, as: admin.auth, body: body,
			status: 400, want: createRefused, events: noHooks, after: reviews(2)},
		ruleCase{name: "client2 reviews a tool it never used", method: http.MethodPost, url: feedback, as: client2.auth,
			body: `{"tool":"` + fx.active + `","rating":2}`, status: 400, want: []string{`"status":400`},
			after: all(reviews(2), field(c.Tools, fx.active, c.ToolRatingCount, 1))},
		ruleCase{name: "client reviews a tool it never used", method: http.MethodPost, url: feedback, as: client.auth, body: body,
			status: 400, want: []string{`"status":400`}, after: reviews(2)},

		// update: the author (or an admin, below), never moving the review
		ruleCase{name: "author updates its review", method: http.MethodPatch, url: record(c.ToolFeedback, reviewOfClient2), as: client2.auth,
			body: `{"rating":1,"is_public":true}`, status: 200, want: []string{`"rating":1`},
			after: all(field(c.ToolFeedback, reviewOfClient2, c.FeedbackRating, 1), field(c.Tools, fx.other, c.ToolAverageRating, 1))},
		ruleCase{name: "author moves its review to another tool", method: http.MethodPatch, url: record(c.ToolFeedback, reviewOfClient2), as: client2.auth,
			body: `{"tool":"` + fx.active + `"}`, status: 404, want: pbNotFound, events: noHooks,
			after: field(c.ToolFeedback, reviewOfClient2, c.FeedbackTool, fx.other)},
	)
	// an admin edits any review (the DRF API's IsOwnerOrAdmin), never moving it
	cases = append(cases,
		ruleCase{name: "admin updates another's review", method: http.MethodPatch, url: record(c.ToolFeedback, reviewOfClient2), as: admin.auth,
			body: `{"rating":1}`, status: 200, want: []string{`"rating":1`},
			after: all(field(c.ToolFeedback, reviewOfClient2, c.FeedbackRating, 1), field(c.Tools, fx.other, c.ToolAverageRating, 1))},
		ruleCase{name: "admin moves another's review to another user", method: http.MethodPatch, url: record(c.ToolFeedback, reviewOfClient2), as: admin.auth,
			body: `{"user":"` + client.id + `"}`, status: 404, want: pbNotFound, events: noHooks,
			after: field(c.ToolFeedback, reviewOfClient2, c.FeedbackUser, client2.id)})
	for _, who := range []struct{ name, auth string }{{"anonymous", ""}, {"client", client.auth}, {"tool's creator", creator2.auth}} {
		cases = append(cases, ruleCase{name: who.name + " updates another's review", method: http.MethodPatch, url: record(c.ToolFeedback, reviewOfClient2),
			as: who.auth, body: `{"rating":1}`, status: 404, want: pbNotFound, events: noHooks,
			after: field(c.ToolFeedback, reviewOfClient2, c.FeedbackRating, 4)})
	}

	// delete: the author, or an admin moderating
	for _, who := range []struct {
		name, auth string
		allowed    bool
	}{{"anonymous", "", false}, {"client", client.auth, false}, {"tool's creator", creator2.auth, false}, {"author", client2.auth, true}, {"admin", admin.auth, true}} {
		if who.allowed {
			cases = append(cases, ruleCase{name: who.name + " deletes a review", method: http.MethodDelete, url: record(c.ToolFeedback, reviewOfClient2),
				as: who.auth, status: 204, after: all(exists(c.ToolFeedback, reviewOfClient2, false), field(c.Tools, fx.other, c.ToolRatingCount, 0))})
			continue
		}
		cases = append(cases, ruleCase{name: who.name + " deletes a review", method: http.MethodDelete, url: record(c.ToolFeedback, reviewOfClient2),
			as: who.auth, status: 404, want: pbNotFound, events: noHooks, after: exists(c.ToolFeedback, reviewOfClient2, true)})
	}
	runRuleCases(t, rulesApp, cases)
}

func TestRulesToolAPIKeys(t *testing.T) {
	t.Parallel()
	keys := records(c.ToolAPIKeys)
	client, client2, creator, admin := fx.client, fx.client2, fx.creator, fx.admin
	// nobody ever sees a key's hash
	secret := []string{`"key_hash"`, hashOfClientKey, hashOfClient2Key}
	body := `{"user":"` + client.id + `","key_name":"mine","key_hash":"` + strings.Repeat("ab", 32) + `"}`
	hashKept := field(c.ToolAPIKeys, keyOfClient, c.APIKeyHash, hashOfClientKey)
	keyCount := countIs(c.ToolAPIKeys, nil, 2)

	runRuleCases(t, rulesApp, []ruleCase{
		// list and view: the owner or an admin, never the hash
		{name: "anonymous lists no key", method: http.MethodGet, url: keys,
			status: 200, want: []string{total(0)}, notWant: join(ids(keyOfClient, keyOfClient2), secret)},
		{name: "client lists its own keys", method: http.MethodGet, url: keys, as: client.auth,
			status: 200, want: []string{total(1), idOf(keyOfClient), `"key_prefix":"tk_keyc"`}, notWant: join(ids(keyOfClient2), secret)},
		{name: "creator without keys lists none", method: http.MethodGet, url: keys, as: creator.auth,
			status: 200, want: []string{total(0)}, notWant: join(ids(keyOfClient, keyOfClient2), secret)},
		{name: "admin lists every key without hashes", method: http.MethodGet, url: keys, as: admin.auth,
			status: 200, want: join([]string{total(2)}, ids(keyOfClient, keyOfClient2)), notWant: secret},
		{name: "superuser lists every key without hashes", method: http.MethodGet, url: keys, as: asSuperuser,
			status: 200, want: join([]string{total(2)}, ids(keyOfClient, keyOfClient2)), notWant: secret},
		{name: "client filters keys by hash", method: http.MethodGet, url: keys + "?filter=" + url.QueryEscape(`key_hash="`+hashOfClientKey+`"`), as: client.auth,
			status: 400, want: []string{`"status":400`}, notWant: secret},
		{name: "anonymous views a key", method: http.MethodGet, url: record(c.ToolAPIKeys, keyOfClient),
			status: 404, want: pbNotFound, events: noHooks},
		{name: "client views its key", method: http.MethodGet, url: record(c.ToolAPIKeys, keyOfClient), as: client.auth,
			status: 200, want: []string{idOf(keyOfClient)}, notWant: secret},
		{name: "client views another's key", method: http.MethodGet, url: record(c.ToolAPIKeys, keyOfClient2), as: client.auth,
			status: 404, want: pbNotFound, notWant: secret, events: noHooks},
		{name: "creator views a client's key", method: http.MethodGet, url: record(c.ToolAPIKeys, keyOfClient), as: creator.auth,
			status: 404, want: pbNotFound, notWant: secret, events: noHooks},
		{name: "admin views a key", method: http.MethodGet, url: record(c.ToolAPIKeys, keyOfClient), as: admin.auth,
			status: 200, want: []string{idOf(keyOfClient)}, notWant: secret},
		{name: "superuser views a key", method: http.MethodGet, url: record(c.ToolAPIKeys, keyOfClient), as: asSuperuser,
			status: 200, want: []string{idOf(keyOfClient)}, notWant: secret},

		// create: only through the key routes (which return the secret once)
		{name: "anonymous creates a key", method: http.MethodPost, url: keys, body: body,
			status: 403, want: superusersOnly, events: noHooks, after: keyCount},
		{name: "client creates a key", method: http.MethodPost, url: keys, body: body, as: client.auth,
			status: 403, want: superusersOnly, events: noHooks, after: keyCount},
		{name: "admin creates a key", method: http.MethodPost, url: keys, body: body, as: admin.auth,
			status: 403, want: superusersOnly, events: noHooks, after: keyCount},
		{name: "superuser creates a key", method: http.MethodPost, url: keys, body: body, as: asSuperuser,
			status: 403, want: []string{`"status":403`, "created only by toolbase"}, notWant: secret, after: keyCount},

		// update: name, limits and is_active by the owner or an admin
		{name: "client renames and pauses its key", method: http.MethodPatch, url: record(c.ToolAPIKeys, keyOfClient), as: client.auth,
			body: `{"key_name":"renamed","is_active":false,"daily_limit":5}`, status: 200,
			want: []string{`"key_name":"renamed"`, `"is_active":false`, `"daily_limit":5`}, notWant: secret,
			after: all(field(c.ToolAPIKeys, keyOfClient, c.APIKeyName, "renamed"), hashKept)},
		{name: "client gives its key to another user", method: http.MethodPatch, url: record(c.ToolAPIKeys, keyOfClient), as: client.auth,
			body: `{"user":"` + client2.id + `"}`, status: 404, want: pbNotFound, events: noHooks,
			after: field(c.ToolAPIKeys, keyOfClient, c.APIKeyUser, client.id)},
		{name: "client rescopes its key", method: http.MethodPatch, url: record(c.ToolAPIKeys, keyOfClient), as: client.auth,
			body: `{"tool":"` + fx.other + `"}`, status: 404, want: pbNotFound, events: noHooks,
			after: field(c.ToolAPIKeys, keyOfClient, c.APIKeyTool, fx.active)},
		{name: "client resets its key's daily_usage", method: http.MethodPatch, url: record(c.ToolAPIKeys, keyOfClient), as: client.auth,
			body: `{"daily_usage":0,"monthly_usage":7}`, status: 200, want: []string{idOf(keyOfClient)}, notWant: secret,
			after: field(c.ToolAPIKeys, keyOfClient, c.APIKeyMonthlyUsage, 0)},
		{name: "client sets its key's prefix", method: http.MethodPatch, url: record(c.ToolAPIKeys, keyOfClient), as: client.auth,
			body: `{"key_prefix":"tk_fake"}`, status: 200, want: []string{`"key_prefix":"tk_keyc"`}, notWant: secret,
			after: field(c.ToolAPIKeys, keyOfClient, c.APIKeyPrefix, "tk_keyc")},
		{name: "client sets its key's hash", method: http.MethodPatch, url: record(c.ToolAPIKeys, keyOfClient), as: client.auth,
			body: `{"key_hash":"` + strings.Repeat("ab", 32) + `","key_name":"x"}`, status: 200, want: []string{`"key_name":"x"`}, notWant: secret,
			after: hashKept},
		{name: "client edits another's key", method: http.MethodPatch, url: record(c.ToolAPIKeys, keyOfClient2), as: client.auth,
			body: `{"is_active":false}`, status: 404, want: pbNotFound, events: noHooks,
			after: field(c.ToolAPIKeys, keyOfClient2, c.APIKeyIsActive, true)},
		{name: "anonymous edits a key", method: http.MethodPatch, url: record(c.ToolAPIKeys, keyOfClient),
			body: `{"is_active":false}`, status: 404, want: pbNotFound, events: noHooks,
			after: field(c.ToolAPIKeys, keyOfClient, c.APIKeyIsActive, true)},
		{name: "admin pauses a key", method: http.MethodPatch, url: record(c.ToolAPIKeys, keyOfClient2), as: admin.auth,
			body: `{"is_active":false}`, status: 200, want: []string{`"is_active":false`}, notWant: secret,
			after: field(c.ToolAPIKeys, keyOfClient2, c.APIKeyIsActive, false)},
		{name: "superuser sets a key's hash", method: http.MethodPatch, url: record(c.ToolAPIKeys, keyOfClient), as: asSuperuser,
			body: `{"key_hash":"` + strings.Repeat("ab", 32) + `","key_name":"x"}`, status: 200, want: []string{`"key_name":"x"`},
			notWant: join(secret, []string{strings.Repeat("ab", 32)}), after: hashKept},

		// delete: the owner or an admin
		{name: "anonymous deletes a key", method: http.MethodDelete, url: record(c.ToolAPIKeys, keyOfClient),
			status: 404, want: pbNotFound, events: noHooks, after: exists(c.ToolAPIKeys, keyOfClient, true)},
		{name: "client deletes another's key", method: http.MethodDelete, url: record(c.ToolAPIKeys, keyOfClient2), as: client.auth,
			status: 404, want: pbNotFound, events: noHooks, after: exists(c.ToolAPIKeys, keyOfClient2, true)},
		{name: "creator deletes a client's key", method: http.MethodDelete, url: record(c.ToolAPIKeys, keyOfClient), as: creator.auth,
			status: 404, want: pbNotFound, events: noHooks, after: exists(c.ToolAPIKeys, keyOfClient, true)},
		{name: "client deletes its key", method: http.MethodDelete, url: record(c.ToolAPIKeys, keyOfClient), as: client.auth,
			status: 204, after: exists(c.ToolAPIKeys, keyOfClient, false)},
		{name: "admin deletes a key", method: http.MethodDelete, url: record(c.ToolAPIKeys, keyOfClient2), as: admin.auth,
			status: 204, after: exists(c.ToolAPIKeys, keyOfClient2, false)},
	})
}

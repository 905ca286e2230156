package hooks

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// withUse records one paid use of fx.active by fx.client.
func withUse(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	tool, _ := app.FindRecordById(c.Tools, fx.active)
	client, _ := app.FindRecordById(c.Users, fx.client.id)
	if _, err := useTool(app, ledger.UseRequest{Tool: tool, User: client, Input: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
}

func TestTransactionRoutes(t *testing.T) {
	t.Parallel()
	scenarios := []tests.ApiScenario{
		{
			Name:            "anonymous is 401",
			Method:          http.MethodGet,
			URL:             "/api/users/users/me/transactions/",
			ExpectedStatus:  401,
			ExpectedContent: []string{`"detail":"Authentication credentials were not provided."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:           "own ledger, newest first",
			Method:         http.MethodGet,
			URL:            "/api/users/users/me/transactions/",
			Headers:        map[string]string{"Authorization": fx.client.auth},
			BeforeTestFunc: withUse,
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"count":2`, `"next":null`, `"previous":null`,
				`"results":[{"id":`, `"kind":"USAGE","amount":-10,"balance_after":990`,
				`"kind":"GRANT","amount":1000,"balance_after":1000`,
			},
			NotExpectedContent: []string{`"EARNING"`, fx.client2.id},
			TestAppFactory:     testAppFactory,
		},
		{
			Name:               "a creator sees its earning, not the payer's debit",
			Method:             http.MethodGet,
			URL:                "/api/users/users/me/transactions/",
			Headers:            map[string]string{"Authorization": fx.creator.auth},
			BeforeTestFunc:     withUse,
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"count":1`, `"account":"revenue","kind":"EARNING","amount":8,"balance_after":8`},
			NotExpectedContent: []string{`"USAGE"`},
			TestAppFactory:     testAppFactory,
		},
		{
			Name:            "pages of one link to each other",
			Method:          http.MethodGet,
			URL:             "/api/users/users/me/transactions/?page_size=1&page=2",
			Headers:         map[string]string{"Authorization": fx.client.auth},
			BeforeTestFunc:  withUse,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"count":2`, `"next":null`, `"previous":"http://example.com/api/users/users/me/transactions/?page_size=1"`, `"kind":"GRANT"`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "a page past the end is 404",
			Method:          http.MethodGet,
			URL:             "/api/users/users/me/transactions/?page=3",
			Headers:         map[string]string{"Authorization": fx.client.auth},
			ExpectedStatus:  404,
			ExpectedContent: []string{`"detail":"Invalid page."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:               "an admin reads a client's ledger",
			Method:             http.MethodGet,
			URL:                "/api/users/users/" + fx.client.id + "/transactions/",
			Headers:            map[string]string{"Authorization": fx.admin.auth},
			BeforeTestFunc:     withUse,
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"count":2`, `"user":"` + fx.client.id + `"`},
			NotExpectedContent: []string{`"EARNING"`},
			TestAppFactory:     testAppFactory,
		},
		{
			Name:            "a user reads its own ledger by id",
			Method:          http.MethodGet,
			URL:             "/api/users/users/" + fx.client.id + "/transactions/",
			Headers:         map[string]string{"Authorization": fx.client.auth},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"count":1`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:               "another user's ledger is 404",
			Method:             http.MethodGet,
			URL:                "/api/users/users/" + fx.client2.id + "/transactions/",
			Headers:            map[string]string{"Authorization": fx.client.auth},
			ExpectedStatus:     404,
			ExpectedContent:    []string{`"detail":"Not found."`},
			NotExpectedContent: []string{`"balance_after"`},
			TestAppFactory:     testAppFactory,
		},
		{
			Name:            "an unknown user is 404 for an admin",
			Method:          http.MethodGet,
			URL:             "/api/users/users/nosuchuser1234/transactions/",
			Headers:         map[string]string{"Authorization": fx.admin.auth},
			ExpectedStatus:  404,
			ExpectedContent: []string{`"detail":"Not found."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "POST is 405",
			Method:          http.MethodPost,
			URL:             "/api/users/users/me/transactions/",
			Headers:         map[string]string{"Authorization": fx.client.auth},
			ExpectedStatus:  405,
			ExpectedContent: []string{`"detail":"Method \"POST\" not allowed."`},
			TestAppFactory:  testAppFactory,
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

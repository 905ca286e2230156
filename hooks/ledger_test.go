package hooks

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

func TestFixturesVerify(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	mustVerify(t, app)
	if got := balance(t, app, fx.client.id); got != fixturePoints {
		t.Fatalf("client balance %d, want %d", got, fixturePoints)
	}
}

func TestPostRefusesNegative(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	_, err := postAudited(app, actorInfo{},
		ledger.Entry{User: fx.client.id, Account: c.AccountPoints, Kind: c.KindDeduct, Amount: -600},
		ledger.Entry{User: fx.client.id, Account: c.AccountPoints, Kind: c.KindDeduct, Amount: -600},
	)
	if !errors.Is(err, ledger.ErrInsufficient) {
		t.Fatalf("err = %v, want ledger.ErrInsufficient", err)
	}
	// the first entry was rolled back with the second
	if got := balance(t, app, fx.client.id); got != fixturePoints {
		t.Fatalf("balance %d after a refused post, want %d", got, fixturePoints)
	}
	mustVerify(t, app)
}

func TestLedgerVerifyNamesTamperedUser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	var out bytes.Buffer
	if err := verifyTo(app, &out); err != nil {
		t.Fatalf("verify on fixtures: %v\n%s", err, out.String())
	}
	if _, err := app.DB().NewQuery("UPDATE users SET points_balance = points_balance + 5 WHERE id = {:id}").
		Bind(map[string]any{"id": fx.client2.id}).Execute(); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err := verifyTo(app, &out)
	if !errors.Is(err, ErrLedgerBroken) {
		t.Fatalf("err = %v, want ErrLedgerBroken", err)
	}
	if !strings.Contains(out.String(), fx.client2.email) || strings.Contains(out.String(), fx.client.email) {
		t.Fatalf("report should name %s only:\n%s", fx.client2.email, out.String())
	}
}

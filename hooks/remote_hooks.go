package hooks

import (
	"fmt"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// reconcile fails and refunds pending uses whose call can no longer finish:
// at start-up every pending use (its call died with the previous process),
// later those past their tool's timeout.
func reconcile(app core.App, all bool) (int, error) {
	ids, err := ledger.PendingUses(app, all, settleMargin)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, err := ledger.Settle(app, id, ledger.Outcome{Failure: "the call to the tool's endpoint did not complete (the server restarted or lost its answer)"}); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// bindRemote settles the uses a crash left pending when the server starts,
// re-checks every minute, checks tools' endpoints and gives new tools a
// signing secret.
func (tb *toolbase) bindRemote(app core.App) {
	app.OnRecordCreateExecute(c.Tools).BindFunc(func(e *core.RecordEvent) error {
		if c.AsTool(e.Record).SigningSecret() == "" {
			e.Record.Set(c.ToolSigningSecret, newSigningSecret())
		}
		return e.Next()
	})
	app.OnRecordValidate(c.Tools).BindFunc(func(e *core.RecordEvent) error {
		endpoint := c.AsTool(e.Record).APIEndpoint()
		if endpoint != "" && endpoint != e.Record.Original().GetString(c.ToolAPIEndpoint) {
			if msg := endpointProblem(tb.cfg, endpoint); msg != "" {
				return validation.Errors{c.ToolAPIEndpoint: validation.NewError("toolbase_endpoint", strings.TrimPrefix(msg, "the tool's endpoint ")+".")}
			}
		}
		return e.Next()
	})
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if n, err := reconcile(se.App, true); err != nil {
			return fmt.Errorf("settling pending uses: %w", err)
		} else if n > 0 {
			se.App.Logger().Warn("settled uses left pending by a previous run", "count", n)
		}
		return se.Next()
	})
	app.Cron().MustAdd("toolbaseSettlePendingUses", "* * * * *", func() {
		if _, err := reconcile(app, false); err != nil {
			app.Logger().Error("settling pending uses", "error", err.Error())
		}
	})
}

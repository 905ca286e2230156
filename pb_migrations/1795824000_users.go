package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Extends PocketBase's own users collection with the DRF API's profile, role and
// balances, renames its autodates, and locks it down with the role rules.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}

		created := users.Fields.GetByName("created")
		updated := users.Fields.GetByName("updated")
		created.SetName("created_at")
		updated.SetName("updated_at")
		users.Fields.RemoveByName("name")
		users.Fields.RemoveById(created.GetId())
		users.Fields.RemoveById(updated.GetId())
		avatar := users.Fields.GetByName("avatar")
		users.Fields.RemoveById(avatar.GetId())

		users.Fields.Add(
			&core.TextField{Name: "username", Required: true, Presentable: true, Max: 150,
				Pattern: `^[\w.@+-]+$`, AutogeneratePattern: `user[a-z0-9]{10}`,
				Help: "Letters, digits and @/./+/-/_ only."},
			&core.TextField{Name: "first_name", Max: 150},
			&core.TextField{Name: "last_name", Max: 150},
			&core.SelectField{Name: "role", Values: []string{"CLIENT", "TOOL_CREATOR", "ADMIN"}, MaxSelect: 1, Required: true,
				Help: "CLIENT uses tools, TOOL_CREATOR also publishes them, ADMIN runs the platform."},
			&core.TextField{Name: "phone_number", Max: 20},
			&core.TextField{Name: "company_name", Max: 200},
			&core.TextField{Name: "bio", Max: 2000},
			avatar,
			&core.URLField{Name: "website"},
			&core.TextField{Name: "location", Max: 200},
			&core.JSONField{Name: "skills", MaxSize: 8 << 10, Help: "A list of strings."},
			&core.BoolField{Name: "email_notifications"},
			&core.BoolField{Name: "marketing_emails"},
			points("points_balance", 0),
			points("total_revenue", 0),
			points("total_payouts", 0),
			created,
			updated,
		)
		users.Fields.GetByName("points_balance").(*core.NumberField).Help =
			"Spendable points. An edit here is recorded as an ADJUSTMENT ledger row."
		users.Fields.GetByName("total_revenue").(*core.NumberField).Help =
			"Lifetime net earnings; moves only with EARNING and REFUND ledger rows."
		users.Fields.GetByName("total_payouts").(*core.NumberField).Help =
			"Paid out so far; moves only with PAYOUT ledger rows."

		users.AddIndex("idx_users_username", true, "`username` COLLATE NOCASE", "")
		users.AddIndex("idx_users_role_created", false, "`role`, `created_at`", "")

		users.ListRule = types.Pointer(`(id = @request.auth.id || @request.auth.role = "ADMIN")`)
		users.ViewRule = types.Pointer(`(id = @request.auth.id || @request.auth.role = "ADMIN")`)
		users.CreateRule = types.Pointer(`(@request.body.role:isset = false || @request.body.role = "CLIENT" || @request.auth.role = "ADMIN") && @request.body.points_balance:isset = false && @request.body.total_revenue:isset = false && @request.body.total_payouts:isset = false`)
		users.UpdateRule = types.Pointer(`(id = @request.auth.id || @request.auth.role = "ADMIN") && (@request.body.role:changed = false || (@request.auth.role = "ADMIN" && id != @request.auth.id)) && @request.body.points_balance:changed = false && @request.body.total_revenue:changed = false && @request.body.total_payouts:changed = false`)
		users.DeleteRule = types.Pointer(`@request.auth.role = "ADMIN" && id != @request.auth.id`)
		users.ManageRule = types.Pointer(`@request.auth.role = "ADMIN"`)

		users.OAuth2.MappedFields.Name = ""
		users.OAuth2.MappedFields.Username = "username"
		// The login alert mails through sendmail when no SMTP is configured and
		// delays logins by up to 15 s; a self-hoster turns it on with SMTP.
		users.AuthAlert.Enabled = false

		return app.Save(users)
	}, nil)
}

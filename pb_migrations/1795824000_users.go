package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// Extends PocketBase's own users collection with the seed's profile, role and
// balances, renames its autodates, and locks it down with the role rules.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId(c.Users)
		if err != nil {
			return err
		}

		created := users.Fields.GetByName("created")
		updated := users.Fields.GetByName("updated")
		created.SetName(c.FieldCreatedAt)
		updated.SetName(c.FieldUpdatedAt)
		users.Fields.RemoveByName("name")
		users.Fields.RemoveById(created.GetId())
		users.Fields.RemoveById(updated.GetId())
		avatar := users.Fields.GetByName(c.UserAvatar)
		users.Fields.RemoveById(avatar.GetId())

		users.Fields.Add(
			&core.TextField{Name: c.UserUsername, Required: true, Presentable: true, Max: 150,
				Pattern: `^[\w.@+-]+$`, AutogeneratePattern: `user[a-z0-9]{10}`,
				Help: "Letters, digits and @/./+/-/_ only."},
			&core.TextField{Name: c.UserFirstName, Max: 150},
			&core.TextField{Name: c.UserLastName, Max: 150},
			&core.SelectField{Name: c.UserRole, Values: c.Roles, MaxSelect: 1, Required: true,
				Help: "CLIENT uses tools, TOOL_CREATOR also publishes them, ADMIN runs the platform."},
			&core.TextField{Name: c.UserPhoneNumber, Max: 20},
			&core.TextField{Name: c.UserCompanyName, Max: 200},
			&core.TextField{Name: c.UserBio, Max: 2000},
			avatar,
			&core.URLField{Name: c.UserWebsite},
			&core.TextField{Name: c.UserLocation, Max: 200},
			&core.JSONField{Name: c.UserSkills, MaxSize: 8 << 10, Help: "A list of strings."},
			&core.BoolField{Name: c.UserEmailNotifications},
			&core.BoolField{Name: c.UserMarketingEmails},
			points(c.UserPointsBalance, 0),
			points(c.UserTotalRevenue, 0),
			points(c.UserTotalPayouts, 0),
			created,
			updated,
		)
		users.Fields.GetByName(c.UserPointsBalance).(*core.NumberField).Help =
			"Spendable points. An edit here is recorded as an ADJUSTMENT ledger row."
		users.Fields.GetByName(c.UserTotalRevenue).(*core.NumberField).Help =
			"Lifetime net earnings; moves only with EARNING and REFUND ledger rows."
		users.Fields.GetByName(c.UserTotalPayouts).(*core.NumberField).Help =
			"Paid out so far; moves only with PAYOUT ledger rows."

		users.AddIndex("idx_users_username", true, "`username` COLLATE NOCASE", "")
		users.AddIndex("idx_users_role_created", false, "`role`, `created_at`", "")

		users.ListRule = types.Pointer(c.UsersViewRule)
		users.ViewRule = types.Pointer(c.UsersViewRule)
		users.CreateRule = types.Pointer(c.UsersCreateRule)
		users.UpdateRule = types.Pointer(c.UsersUpdateRule)
		users.DeleteRule = types.Pointer(c.UsersDeleteRule)
		users.ManageRule = types.Pointer(c.UsersManageRule)

		users.OAuth2.MappedFields.Name = ""
		users.OAuth2.MappedFields.Username = c.UserUsername
		// The login alert mails through sendmail when no SMTP is configured and
		// delays logins by up to 15 s; a self-hoster turns it on with SMTP.
		users.AuthAlert.Enabled = false

		return app.Save(users)
	}, nil)
}

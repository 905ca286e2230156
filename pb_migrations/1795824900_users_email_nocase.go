package migrations

import (
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/dbutils"
)

// Makes users' emails unique whatever their case: PocketBase's own unique
// index on users.email compares bytes, so CLIENT1@example.com could be
// registered next to client1@example.com and logins by email became
// ambiguous. The index is replaced by one with COLLATE NOCASE (as the
// username's), which also makes PocketBase's auth-with-password and
// FindAuthRecordByEmail match emails ignoring case. Names are string literals:
// a migration must keep meaning what it meant when it ran.
func init() {
	m.Register(func(app core.App) error {
		return setUsersEmailIndex(app, "`email` COLLATE NOCASE")
	}, func(app core.App) error {
		return setUsersEmailIndex(app, "`email`")
	})
}

// setUsersEmailIndex replaces the unique index of users.email by one on column
// (a column expression, with or without a collation).
func setUsersEmailIndex(app core.App, column string) error {
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}
	if strings.Contains(column, "NOCASE") {
		// refuse clearly, rather than with SQLite's constraint error, when
		// existing emails already differ only in case
		var dups []string
		err := app.DB().NewQuery("SELECT LOWER([[email]]) FROM {{users}} WHERE [[email]] != ''" +
			" GROUP BY [[email]] COLLATE NOCASE HAVING COUNT(*) > 1 LIMIT 20").Column(&dups)
		if err != nil {
			return err
		}
		if len(dups) > 0 {
			return fmt.Errorf("users whose emails differ only in case must be merged or renamed first: %s",
				strings.Join(dups, ", "))
		}
	}
	name := "idx_email_" + users.Id
	if index, ok := dbutils.FindSingleColumnUniqueIndex(users.Indexes, "email"); ok {
		name = index.IndexName
		users.RemoveIndex(index.IndexName)
	}
	users.AddIndex(name, true, column, "`email` != ''")
	return app.Save(users)
}

package hooks

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	c "toolbase/collections"
	"toolbase/hooks/builtin"
	"toolbase/hooks/ledger"
)

type demoUser struct {
	email, username, first, last, role, password string
	points                                       int64
}

type demoTool struct {
	creator, name, description, category string
	cost                                 int64
	tags                                 []string
	builtin                              string // the built-in it runs (hooks/builtin)
}

// The demo logins, listed in the README.
var demoUsers = []demoUser{
	{"admin@example.com", "admin", "Ada", "Admin", c.RoleAdmin, "admin-demo-pass", 0},
	{"creator1@example.com", "creator1", "Carla", "Creator", c.RoleToolCreator, "creator-demo-pass", 0},
	{"creator2@example.com", "creator2", "Cem", "Creator", c.RoleToolCreator, "creator-demo-pass", 0},
	{"client1@example.com", "client1", "Cleo", "Client", c.RoleClient, "client-demo-pass", 1000},
	{"client2@example.com", "client2", "Cody", "Client", c.RoleClient, "client-demo-pass", 500},
	{"client3@example.com", "client3", "Chen", "Client", c.RoleClient, "client-demo-pass", 100},
}

// The demo tools are built-ins: they do real, deterministic work, without
// network (hooks/builtin).
var demoTools = []demoTool{
	{"creator1@example.com", "Word Counter", "Counts the words, characters, sentences and paragraphs of a text, with its reading time. Input: {\"text\": \"…\"}.", c.CategoryProductivity, 5, []string{"text", "count"}, "wordcount"},
	{"creator1@example.com", "JSON Formatter", "Pretty-prints and validates JSON. Input: {\"json\": \"<the JSON text>\"}.", c.CategoryDevelopment, 1, []string{"json", "format"}, "json-format"},
	{"creator1@example.com", "Markdown to HTML", "Renders Markdown as safe HTML (raw HTML and unsafe links dropped). Input: {\"markdown\": \"# Title\"}.", c.CategoryCreative, 3, []string{"markdown", "html"}, "markdown"},
	{"creator2@example.com", "Hash Generator", "SHA-256 (or sha512, sha1, md5) of a text, in hex and base64. Input: {\"text\": \"…\", \"algorithm\": \"sha256\"}.", c.CategoryDevelopment, 10, []string{"hash", "checksum"}, "hash"},
	{"creator2@example.com", "Unit Converter", "Converts lengths, masses, temperatures, volumes, times, speeds and data sizes. Input: {\"value\": 5, \"from\": \"km\", \"to\": \"mi\"}.", c.CategoryBusiness, 8, []string{"units", "convert"}, "units"},
}

// SeedDemo creates the demo users (with points granted through the ledger) and
// active tools that are missing, and reports what it created. Running it again
// creates nothing.
func SeedDemo(app core.App) (created int, err error) {
	err = app.RunInTransaction(func(tx core.App) error {
		users, err := tx.FindCollectionByNameOrId(c.Users)
		if err != nil {
			return err
		}
		ids := map[string]string{}
		for _, d := range demoUsers {
			existing, err := tx.FindAuthRecordByEmail(c.Users, d.email)
			if err == nil {
				ids[d.email] = existing.Id
				continue
			}
			u := core.NewRecord(users)
			u.SetEmail(d.email)
			u.SetPassword(d.password)
			u.SetVerified(true)
			u.Set(c.UserUsername, d.username)
			u.Set(c.UserFirstName, d.first)
			u.Set(c.UserLastName, d.last)
			u.Set(c.UserRole, d.role)
			applyOmittedDefaults(u, func(string) bool { return false })
			if err := tx.Save(u); err != nil {
				return fmt.Errorf("creating %s: %w", d.email, err)
			}
			if d.points > 0 {
				if _, err := postAudited(tx, actorInfo{}, ledger.Entry{User: u.Id, Account: c.AccountPoints, Kind: c.KindGrant, Amount: d.points, Note: "demo seed"}); err != nil {
					return err
				}
			}
			ids[d.email] = u.Id
			created++
		}

		tools, err := tx.FindCollectionByNameOrId(c.Tools)
		if err != nil {
			return err
		}
		for _, d := range demoTools {
			var existing core.Record
			err := tx.RecordQuery(tools).AndWhere(dbx.HashExp{c.ToolCreator: ids[d.creator], c.ToolName: d.name}).Limit(1).One(&existing)
			if err == nil {
				if existing.GetString(c.ToolAPIEndpoint) == "" { // seeded before the built-ins existed
					existing.Set(c.ToolAPIEndpoint, builtin.Address(d.builtin))
					if err := tx.Save(&existing); err != nil {
						return fmt.Errorf("making %s a built-in: %w", d.name, err)
					}
				}
				continue
			}
			t := core.NewRecord(tools)
			t.Set(c.ToolName, d.name)
			t.Set(c.ToolDescription, d.description)
			t.Set(c.ToolCategory, d.category)
			t.Set(c.ToolStatus, c.StatusActive)
			t.Set(c.ToolCreator, ids[d.creator])
			t.Set(c.ToolPointsCost, d.cost)
			t.Set(c.ToolTags, d.tags)
			t.Set(c.ToolAPIEndpoint, builtin.Address(d.builtin))
			if err := tx.Save(t); err != nil {
				return fmt.Errorf("creating tool %s: %w", d.name, err)
			}
			created++
		}
		return nil
	})
	return created, err
}

func newSeedCommand(app core.App) *cobra.Command {
	var demo bool
	cmd := &cobra.Command{
		Use:   "seed --demo",
		Short: "Create demo users and tools (idempotent)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !demo {
				return errors.New("nothing to seed: pass --demo")
			}
			if err := app.RunAppMigrations(); err != nil {
				return err
			}
			created, err := SeedDemo(app)
			if err != nil {
				return err
			}
			printDemoLogins(cmd.OutOrStdout(), created)
			return nil
		},
	}
	cmd.Flags().BoolVar(&demo, "demo", false, "create the demo admin, creators, clients and tools")
	return cmd
}

func printDemoLogins(out io.Writer, created int) {
	fmt.Fprintf(out, "seed --demo: %d record(s) created\n\n", created)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ROLE\tEMAIL\tPASSWORD\tPOINTS")
	for _, d := range demoUsers {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\n", d.role, d.email, d.password, d.points)
	}
	w.Flush()
}

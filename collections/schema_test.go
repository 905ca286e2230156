package collections_test

import (
	"os"
	"slices"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
	_ "toolbase/pb_migrations"
)

// TestSchemaMatchesMigrations is the drift test: a database migrated from
// empty has exactly the collections, rules and fields that collections.Schema
// states, so the frozen migrations and the running code cannot diverge.
func TestSchemaMatchesMigrations(t *testing.T) {
	t.Parallel()
	dir, err := os.MkdirTemp("", "toolbase_drift_*")
	if err != nil {
		t.Fatal(err)
	}
	app, err := tests.NewTestApp(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Cleanup()
	defer os.RemoveAll(dir)

	all, err := app.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	migrated := map[string]*core.Collection{}
	for _, col := range all {
		if !col.System || col.Name == c.Users {
			migrated[col.Name] = col
		}
	}
	for name := range migrated {
		if _, ok := c.Schema[name]; !ok {
			t.Errorf("collection %s is migrated but missing from collections.Schema", name)
		}
	}
	for name, spec := range c.Schema {
		col := migrated[name]
		if col == nil {
			t.Errorf("collections.Schema states %s, which no migration creates", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			compareRules(t, c.RulesOf(col), spec.Rules)
			var got []c.FieldSpec
			for _, field := range col.Fields {
				got = append(got, c.FieldSpec{Name: field.GetName(), Type: field.Type(), Hidden: field.GetHidden()})
			}
			if !slices.Equal(got, spec.Fields) {
				t.Errorf("fields differ\nmigrated: %v\nstated:   %v", got, spec.Fields)
			}
		})
	}
}

func compareRules(t *testing.T, got, want c.Rules) {
	t.Helper()
	for _, r := range []struct {
		name      string
		got, want *string
	}{
		{"list", got.List, want.List}, {"view", got.View, want.View}, {"create", got.Create, want.Create},
		{"update", got.Update, want.Update}, {"delete", got.Delete, want.Delete},
		{"manage", got.Manage, want.Manage}, {"auth", got.Auth, want.Auth},
	} {
		switch {
		case r.got == nil && r.want == nil:
		case r.got == nil || r.want == nil:
			t.Errorf("%s rule: migrated %s, stated %s", r.name, show(r.got), show(r.want))
		case *r.got != *r.want:
			t.Errorf("%s rule differs\nmigrated: %s\nstated:   %s", r.name, *r.got, *r.want)
		}
	}
}

func show(rule *string) string {
	if rule == nil {
		return "nil (superusers only)"
	}
	return "`" + *rule + "`"
}

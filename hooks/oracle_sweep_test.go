package hooks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// sweepRole is a non-superuser caller of the sweep.
type sweepRole struct {
	name, auth string
	admin      bool // shown every private field
}

// TestOracleSweep walks the app's own schema, so that a collection, relation
// or private field added later is covered without editing this test: for
// every non-superuser role (guest, client, creator, admin) it proves that no
// filter, sort or realtime subscription filter can tell two values apart
//   - of any field of any collection reached through a back-relation (every
//     relation field of every collection, seen from the collection it points at),
//     or through a multiple relation, or through @collection;
//   - of any field Hidden in the schema, or private (privateFields) unless
//     the role is an admin, on its collection and through every single
//     relation pointing at it.
//
// It also checks that the table of private fields is complete: every field
// a role is not shown in a records API answer is Hidden or in the table.
func TestOracleSweep(t *testing.T) {
	t.Parallel()
	w := newOracleWorld(t)
	cols, err := w.app.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	var swept []*core.Collection
	for _, col := range cols {
		if !col.System || col.Name == "users" {
			swept = append(swept, col)
		}
	}
	roles := []sweepRole{{"guest", "", false}, {"client", fx.client.auth, false}, {"creator", fx.creator.auth, false}, {"admin", fx.admin.auth, true}}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conns := map[string]*realtimeClient{}
	for _, r := range roles {
		conns[r.name] = w.connect(t, ctx)
	}

	// a real value of a field (any record), to make each guess a meaningful one
	sample := func(col *core.Collection, field string) string {
		recs, err := w.app.FindRecordsByFilter(col, "", "", 1, 0)
		if err != nil || len(recs) == 0 {
			return "x"
		}
		v := recs[0].GetString(field)
		if v == "" || strings.ContainsAny(v, "\"\\\n'") {
			return "x"
		}
		return v
	}
	var cases int
	// probe asks, as each role, the pair of questions about ident on col
	// by filter, sort and subscription, and fails on any difference; with
	// mustRefuse, also unless every answer is a refusal.
	probe := func(r sweepRole, col *core.Collection, ident, value string, mustRefuse bool) {
		t.Helper()
		cases++
		what := fmt.Sprintf("%s on %s: %s", r.name, col.Name, ident)
		yesF, noF := fmt.Sprintf(`%s = "%s"`, ident, value), fmt.Sprintf(`%s != "%s"`, ident, value)
		yes, no := w.list(t, r.auth, col.Name, yesF, ""), w.list(t, r.auth, col.Name, noF, "")
		if mustRefuse {
			indistinguishable(t, what+" (filter)", yes, no)
			refused(t, what+" (filter)", yes)
		}
		asc, desc := w.list(t, r.auth, col.Name, "", ident), w.list(t, r.auth, col.Name, "", "-"+ident)
		if mustRefuse {
			refused(t, what+" (sort)", asc)
			refused(t, what+" (sort desc)", desc)
		}
		rc := conns[r.name]
		sy := w.subscribe(t, rc, r.auth, topic(col.Name, yesF))
		sn := w.subscribe(t, rc, r.auth, topic(col.Name, noF))
		if mustRefuse && (sy != sn || (sy != http.StatusBadRequest && sy != http.StatusForbidden)) {
			t.Errorf("%s (subscription): %d / %d, want the same refusal", what, sy, sn)
		}
	}

	byID := map[string]*core.Collection{}
	for _, col := range cols {
		byID[col.Id] = col
	}
	var backRels, hiddenPaths int
	for _, r := range roles {
		for _, from := range swept {
			for _, f := range from.Fields {
				rel, ok := f.(*core.RelationField)
				if !ok {
					continue
				}
				to := byID[rel.CollectionId]
				if to == nil {
					t.Fatalf("%s.%s points at an unknown collection", from.Name, rel.Name)
				}
				// back-relation: every field of `from`, seen from `to`
				via := from.Name + "_via_" + rel.Name
				if r.name == "client" {
					backRels++
				}
				for _, g := range from.Fields {
					probe(r, to, via+"."+g.GetName(), sample(from, g.GetName()), true)
				}
				// a multiple relation traversed
				if rel.IsMultiple() {
					for _, g := range to.Fields {
						probe(r, from, rel.Name+"."+g.GetName(), sample(to, g.GetName()), true)
					}
				}
			}
			// @collection.<name>.<field>
			probe(r, from, "@collection."+from.Name+".id", sample(from, "id"), true)
		}
		// fields hidden from some role, directly and through every single relation
		for _, col := range swept {
			for _, g := range col.Fields {
				hidden := g.GetHidden()
				private := isPrivateField(col.Name, g.GetName())
				if !hidden && !private {
					continue
				}
				mustRefuse := hidden || !r.admin
				if r.name == "client" {
					hiddenPaths++
				}
				probe(r, col, g.GetName(), sample(col, g.GetName()), mustRefuse)
				for _, from := range swept {
					for _, f := range from.Fields {
						if rel, ok := f.(*core.RelationField); ok && !rel.IsMultiple() && rel.CollectionId == col.Id {
							if r.name == "client" {
								hiddenPaths++
							}
							probe(r, from, rel.Name+"."+g.GetName(), sample(col, g.GetName()), mustRefuse)
						}
					}
				}
			}
		}
	}
	if backRels < 10 || hiddenPaths < 10 {
		t.Errorf("the sweep found only %d back-relations and %d hidden paths: is the schema loaded?", backRels, hiddenPaths)
	}
	t.Logf("%d probes (each: 2 filters, 2 sorts, 2 subscriptions); %d back-relations, %d hidden or private paths per role", cases, backRels, hiddenPaths)

	// completeness of the private fields table: what a role is not shown of
	// a record it may read is Hidden or in the table
	for _, r := range roles {
		for _, col := range swept {
			status, body := request(t, http.MethodGet, w.base+"/api/collections/"+col.Name+"/records?"+url.Values{"perPage": {"500"}}.Encode(), r.auth, "")
			if status != http.StatusOK {
				continue
			}
			var page struct{ Items []map[string]any }
			json.Unmarshal(body, &page)
			for _, item := range page.Items {
				for _, g := range col.Fields {
					name := g.GetName()
					if _, shown := item[name]; shown || g.GetHidden() || isPrivateField(col.Name, name) {
						continue
					}
					if col.IsAuth() && name == core.FieldNameEmail {
						continue // PocketBase's emailVisibility
					}
					t.Errorf("%s is not shown %s.%s of %v, which is neither Hidden nor in privateFields", r.name, col.Name, name, item["id"])
				}
			}
		}
	}
}

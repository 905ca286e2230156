package ledger

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
)

// groupWorld is a test app with a group, a creator, an ACTIVE tool costing
// one point, and what the tests need to count.
type groupWorld struct {
	app     *tests.TestApp
	g       *Group
	creator *core.Record
	tool    *core.Record
}

func newGroupWorld(t testing.TB) *groupWorld {
	t.Helper()
	app := newApp(t)
	if err := Prepare(app); err != nil {
		t.Fatal(err)
	}
	w := &groupWorld{app: app, g: NewGroup(app)}
	w.creator = w.user(t, "creator", c.RoleToolCreator, 0)
	col, err := app.FindCollectionByNameOrId(c.Tools)
	if err != nil {
		t.Fatal(err)
	}
	w.tool = core.NewRecord(col)
	w.tool.Set(c.ToolName, "group tool")
	w.tool.Set(c.ToolCreator, w.creator.Id)
	w.tool.Set(c.ToolStatus, c.StatusActive)
	w.tool.Set(c.ToolPointsCost, 1)
	if err := app.SaveNoValidate(w.tool); err != nil {
		t.Fatal(err)
	}
	return w
}

// user creates a user granted points (a GRANT ledger row).
func (w *groupWorld) user(t testing.TB, name, role string, points int64) *core.Record {
	t.Helper()
	col, err := w.app.FindCollectionByNameOrId(c.Users)
	if err != nil {
		t.Fatal(err)
	}
	u := core.NewRecord(col)
	u.SetEmail(name + "@group.example")
	u.SetPassword("group-test-pass")
	u.Set(c.UserRole, role)
	if err := w.app.Save(u); err != nil {
		t.Fatal(err)
	}
	if points > 0 {
		if _, err := Post(w.app, Entry{User: u.Id, Account: c.AccountPoints, Kind: c.KindGrant, Amount: points}); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

func (w *groupWorld) use(u *core.Record) (*UseResult, error) {
	return w.g.RecordUse(w.app, Config{FeePercent: 20}, UseRequest{Tool: w.tool, User: u, Input: []byte(`{}`)})
}

// hold makes the writer wait in a group until the returned func is called,
// so that the uses sent meanwhile all queue for the next group.
func (w *groupWorld) hold(t *testing.T) (release func()) {
	t.Helper()
	in, out := make(chan struct{}), make(chan struct{})
	go w.g.Do(func(core.App) error { close(in); <-out; return nil })
	<-in
	return func() { close(out) }
}

// waitQueued waits until n more jobs than before are blocked sending to the
// writer (a held writer takes none).
func waitQueued(t *testing.T, sent func() int, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for sent() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d uses queued", sent(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // from started to blocked on the send
}

func (w *groupWorld) balance(t *testing.T, u *core.Record) int64 {
	t.Helper()
	var b int64
	if err := w.app.DB().Select(c.UserPointsBalance).From(c.Users).Where(dbx.HashExp{c.FieldID: u.Id}).Row(&b); err != nil {
		t.Fatal(err)
	}
	return b
}

func (w *groupWorld) count(t *testing.T, table string, where dbx.Expression) int {
	t.Helper()
	var n int
	if err := w.app.DB().Select("count(*)").From(table).Where(where).Row(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (w *groupWorld) verify(t *testing.T) {
	t.Helper()
	problems, err := Verify(w.app)
	if err != nil || len(problems) > 0 {
		t.Fatalf("ledger verify: %v %v", err, problems)
	}
}

// 200 concurrent uses on a balance for 100: exactly 100 succeed, whatever
// the grouping, and the others are refused for lack of points.
func TestGroupConcurrentUsesOnABalanceFor100(t *testing.T) {
	t.Parallel()
	w := newGroupWorld(t)
	client := w.user(t, "client", c.RoleClient, 100)
	var wg sync.WaitGroup
	var mu sync.Mutex
	outcomes := map[string]int{}
	start := make(chan struct{})
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := w.use(client)
			var short *InsufficientPointsError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				outcomes["ok"]++
			case errors.As(err, &short):
				outcomes["insufficient"]++
			default:
				outcomes[err.Error()]++
			}
		}()
	}
	close(start)
	wg.Wait()
	if outcomes["ok"] != 100 || outcomes["insufficient"] != 100 || len(outcomes) != 2 {
		t.Fatalf("outcomes %v, want 100 ok and 100 insufficient", outcomes)
	}
	if b := w.balance(t, client); b != 0 {
		t.Errorf("balance %d, want 0", b)
	}
	if n := w.count(t, c.ToolUsage, dbx.HashExp{c.UsageUser: client.Id}); n != 100 {
		t.Errorf("%d usage rows, want 100", n)
	}
	groups, uses := w.g.Stats()
	t.Logf("200 uses in %d groups", groups)
	if uses != 200 {
		t.Errorf("the writer ran %d uses, want 200", uses)
	}
	w.verify(t)
}

// A use refused inside a group (no points left, or a key's quota) rolls back
// alone: the group's other uses are committed, with their ledger rows.
func TestGroupRefusedUseLeavesTheOthersCommitted(t *testing.T) {
	t.Parallel()
	w := newGroupWorld(t)
	poor := w.user(t, "poor", c.RoleClient, 3)
	rich := w.user(t, "rich", c.RoleClient, 100)
	// rich's key allows 2 uses a day
	keys, _ := w.app.FindCollectionByNameOrId(c.ToolAPIKeys)
	key := core.NewRecord(keys)
	key.Set(c.APIKeyUser, rich.Id)
	key.Set(c.APIKeyName, "two a day")
	key.Set(c.APIKeyHash, "h")
	key.Set(c.APIKeyIsActive, true)
	key.Set(c.APIKeyDailyLimit, 2)
	key.Set(c.APIKeyMonthlyLimit, 100)
	if err := w.app.Save(key); err != nil {
		t.Fatal(err)
	}

	release := w.hold(t)
	groupsBefore, _ := w.g.Stats()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var started int
	results := map[string][]error{}
	send := func(name string, req UseRequest) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			started++
			mu.Unlock()
			_, err := w.g.RecordUse(w.app, Config{FeePercent: 20}, req)
			mu.Lock()
			results[name] = append(results[name], err)
			mu.Unlock()
		}()
	}
	for range 6 {
		send("poor", UseRequest{Tool: w.tool, User: poor, Input: []byte(`{}`)})
	}
	for range 4 {
		send("rich by key", UseRequest{Tool: w.tool, User: rich, Input: []byte(`{}`), APIKey: key.Id})
	}
	for range 5 {
		send("rich", UseRequest{Tool: w.tool, User: rich, Input: []byte(`{}`)})
	}
	waitQueued(t, func() int { mu.Lock(); defer mu.Unlock(); return started }, 15)
	release()
	wg.Wait()

	groups, uses := w.g.Stats()
	if groups-groupsBefore != 2 || uses != 16 {
		t.Fatalf("%d groups of %d uses after the held one, want the 15 uses in one group", groups-groupsBefore, uses-1)
	}
	tally := func(name string) (ok, short, quota int) {
		for _, err := range results[name] {
			var s *InsufficientPointsError
			var q *KeyQuotaError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &s):
				short++
			case errors.As(err, &q):
				quota++
			default:
				t.Errorf("%s: unexpected %v", name, err)
			}
		}
		return
	}
	if ok, short, _ := tally("poor"); ok != 3 || short != 3 {
		t.Errorf("poor: %d ok, %d insufficient; want 3 and 3", ok, short)
	}
	if ok, _, quota := tally("rich by key"); ok != 2 || quota != 2 {
		t.Errorf("rich by key: %d ok, %d over quota; want 2 and 2", ok, quota)
	}
	if ok, _, _ := tally("rich"); ok != 5 {
		t.Errorf("rich: %d ok, want 5", ok)
	}
	if b := w.balance(t, poor); b != 0 {
		t.Errorf("poor's balance %d, want 0", b)
	}
	if b := w.balance(t, rich); b != 100-7 {
		t.Errorf("rich's balance %d, want 93", b)
	}
	if n := w.count(t, c.ToolUsage, nil); n != 3+7 {
		t.Errorf("%d usage rows, want 10", n)
	}
	var daily int64
	w.app.DB().Select(c.APIKeyDailyUsage).From(c.ToolAPIKeys).Where(dbx.HashExp{c.FieldID: key.Id}).Row(&daily)
	if daily != 2 {
		t.Errorf("the key counted %d uses, want 2", daily)
	}
	var total int64
	w.app.DB().Select(c.ToolTotalUses).From(c.Tools).Where(dbx.HashExp{c.FieldID: w.tool.Id}).Row(&total)
	if total != 10 {
		t.Errorf("the tool counted %d uses, want 10", total)
	}
	w.verify(t)
}

// A group whose COMMIT fails (here a deferred foreign key, checked only at
// COMMIT) fails every use in it with a CommitError and charges nothing; what
// the uses scheduled for after their commit never runs; the next group works.
func TestGroupFailedCommitFailsEveryUse(t *testing.T) {
	t.Parallel()
	w := newGroupWorld(t)
	client := w.user(t, "client", c.RoleClient, 100)
	if _, err := w.app.DB().NewQuery("CREATE TABLE fk_parent (id TEXT PRIMARY KEY); " +
		"CREATE TABLE fk_child (parent TEXT REFERENCES fk_parent(id))").Execute(); err != nil {
		t.Fatal(err)
	}
	announced := 0
	w.app.OnModelAfterCreateSuccess(c.ToolUsage).BindFunc(func(e *core.ModelEvent) error {
		announced++
		return e.Next()
	})

	release := w.hold(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var started int
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			started++
			mu.Unlock()
			_, errs[i] = w.use(client)
		}()
	}
	var poisonErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		mu.Lock()
		started++
		mu.Unlock()
		poisonErr = w.g.Do(func(tx core.App) error {
			_, err := tx.DB().NewQuery("PRAGMA defer_foreign_keys = ON; INSERT INTO fk_child VALUES ('nobody')").Execute()
			return err
		})
	}()
	waitQueued(t, func() int { mu.Lock(); defer mu.Unlock(); return started }, 9)
	release()
	wg.Wait()

	var commitErr *CommitError
	for i, err := range append(errs, poisonErr) {
		if !errors.As(err, &commitErr) {
			t.Errorf("use %d: %v, want a CommitError", i, err)
		}
	}
	if b := w.balance(t, client); b != 100 {
		t.Errorf("balance %d after a failed commit, want 100", b)
	}
	if n := w.count(t, c.ToolUsage, nil); n != 0 {
		t.Errorf("%d usage rows after a failed commit", n)
	}
	if announced != 0 {
		t.Errorf("%d usages announced of a failed commit", announced)
	}
	// the writer and its connection go on
	if _, err := w.use(client); err != nil {
		t.Fatalf("a use after the failed group: %v", err)
	}
	if b := w.balance(t, client); b != 99 || announced != 1 {
		t.Errorf("after one more use: balance %d, %d announced; want 99 and 1", b, announced)
	}
	w.verify(t)
}

// A group's uses are answered only after its commit, and what a use scheduled
// (metrics, events) runs only then: a use waiting behind a held group has
// not returned, and nothing of it is visible to other connections.
func TestGroupAnswersAfterCommit(t *testing.T) {
	t.Parallel()
	w := newGroupWorld(t)
	client := w.user(t, "client", c.RoleClient, 10)
	announced := make(chan string, 1)
	w.app.OnModelAfterCreateSuccess(c.ToolUsage).BindFunc(func(e *core.ModelEvent) error {
		var n int
		// the row is committed when it is announced: another connection sees it
		if err := w.app.ConcurrentDB().Select("count(*)").From(c.ToolUsage).Where(dbx.HashExp{c.FieldID: e.Model.PK()}).Row(&n); err != nil || n != 1 {
			t.Errorf("announced before the commit: %v %d", err, n)
		}
		announced <- fmt.Sprint(e.Model.PK())
		return e.Next()
	})
	inGroup, commit := make(chan struct{}), make(chan struct{})
	var rid string
	// a job holding its group open: the use goes in the next group
	go w.g.Do(func(core.App) error { close(inGroup); <-commit; return nil })
	<-inGroup
	got := make(chan error, 1)
	go func() {
		res, err := w.use(client)
		if err == nil {
			rid = res.Usage.Id
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("a use answered while the writer was held: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(commit)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if id := <-announced; id != rid {
		t.Errorf("announced %s, want %s", id, rid)
	}
	w.verify(t)
}

// Ids the ledger makes sort in the order they were made, in PocketBase's format.
func TestNewIDsAreOrderedAndValid(t *testing.T) {
	t.Parallel()
	prev := ""
	seen := map[string]bool{}
	for range 100_000 {
		id := NewID()
		// smaller only where the counter wrapped
		if len(id) != core.DefaultIdLength || (id <= prev && id[9:] != "000000") {
			t.Fatalf("id %q after %q", id, prev)
		}
		for _, r := range id {
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z') {
				t.Fatalf("id %q has %q", id, r)
			}
		}
		if seen[id] {
			t.Fatalf("id %q twice", id)
		}
		seen[id] = true
		prev = id
	}
}

// The usage row a group writes by its prepared INSERT is the row PocketBase's
// record save writes (a use in a caller's transaction), column for column,
// for a local and a remote tool.
func TestGroupUsageRowIsTheRecordSavesRow(t *testing.T) {
	t.Parallel()
	w := newGroupWorld(t)
	client := w.user(t, "client", c.RoleClient, 100)
	remote := core.NewRecord(w.tool.Collection())
	remote.Set(c.ToolName, "remote tool")
	remote.Set(c.ToolCreator, w.creator.Id)
	remote.Set(c.ToolStatus, c.StatusActive)
	remote.Set(c.ToolPointsCost, 3)
	remote.Set(c.ToolAPIEndpoint, "https://tool.example/run")
	if err := w.app.SaveNoValidate(remote); err != nil {
		t.Fatal(err)
	}
	row := func(id string) map[string]any {
		t.Helper()
		var m dbx.NullStringMap
		if err := w.app.DB().NewQuery("SELECT *, typeof(output_data) AS output_type, typeof(success) AS success_type, typeof(points_spent) AS spent_type FROM tool_usage WHERE id = {:id}").
			Bind(dbx.Params{"id": id}).One(&m); err != nil {
			t.Fatal(err)
		}
		out := map[string]any{}
		for k, v := range m {
			switch k {
			case "id", "created_at", "updated_at", "remaining_points":
				continue
			}
			out[k] = v
		}
		return out
	}
	for _, tool := range []*core.Record{w.tool, remote} {
		req := UseRequest{Tool: tool, User: client, Input: []byte(`{"q":"x"}`), Key: "k-" + tool.Id}
		var saved *UseResult
		if err := w.app.RunInTransaction(func(tx core.App) error {
			var err error
			saved, err = w.g.RecordUse(tx, Config{FeePercent: 20}, req)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		req.Key = "other-" + tool.Id
		grouped, err := w.g.RecordUse(w.app, Config{FeePercent: 20}, req)
		if err != nil {
			t.Fatal(err)
		}
		a, b := row(saved.Usage.Id), row(grouped.Usage.Id)
		a["idempotency_key"], b["idempotency_key"] = nil, nil
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("tool %s:\nrecord save %v\ngroup       %v", tool.GetString(c.ToolName), a, b)
		}
		// and the records handed back agree
		for _, f := range []string{c.UsageState, c.UsageOutputData, c.UsageSuccess, c.UsagePointsSpent, c.UsageCreatorEarning, c.FieldCreatedAt} {
			if x, y := fmt.Sprint(saved.Usage.Get(f)), fmt.Sprint(grouped.Usage.Get(f)); (x == "") != (y == "") || (f != c.FieldCreatedAt && x != y) {
				t.Errorf("tool %s: field %s: %q vs %q", tool.GetString(c.ToolName), f, x, y)
			}
		}
	}
	w.verify(t)
}

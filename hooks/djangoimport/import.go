package djangoimport

import (
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// Options tune an import.
type Options struct {
	// DryRun reads and checks everything and writes nothing.
	DryRun bool
	// Progress receives progress lines (nil: none); the command passes stderr
	// when it is a terminal.
	Progress io.Writer
	// BatchSize is how many usage or feedback rows one transaction writes
	// (default 2000).
	BatchSize int
}

// Run imports the dump at path into app (migrated), or with opts.DryRun
// reports what it would do. The returned error is a refusal of the whole
// dump (a *FileError: nothing was written) or a failure that stopped the run
// (what was committed is whole and verified, and a second run resumes);
// rows refused one by one are in the report.
func Run(app core.App, path string, opts Options) (*Report, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 2000
	}
	started := time.Now()
	rep := newReport(filepath.Base(path), opts.DryRun)
	prog := newProgress(opts.Progress)
	before, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	prog.phase("checking the file", int64(before.Size()))
	s, err := scan(path, prog.bytes)
	prog.done()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()

	im := &importer{app: app, opts: opts, rep: rep, f: f, scan: s, prog: prog,
		users: map[int64]string{}, tools: map[int64]string{}, toolDump: map[int64]*toolTally{},
		emails: map[string]int{}, usernames: map[string]bool{}, keyHashes: map[string]int{},
		reviews: map[[2]int64]struct{}{}, profiles: map[int64]*djProfile{}}
	for model, n := range s.counts {
		if rep.Counts[model] == nil {
			rep.Counts[model] = &ModelCount{}
			rep.add(model, LevelError, rowPath(s.firstAt[model]),
				"unknown model %s (%d rows): not imported (the import reads dumpdata users tools)", model, n)
			rep.Counts[model].Skipped = n
		}
		rep.Counts[model].InFile = n
	}
	for _, step := range []func() error{im.profilesStep, im.usersStep, im.toolsStep, im.usageStep, im.feedbackStep, im.keysStep, im.compareCounters} {
		if err := step(); err != nil {
			return rep, err
		}
	}
	if after, err := os.Stat(path); err == nil && (after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime())) {
		rep.add("", LevelError, "$", "the file changed during the import: run it again once the dump is complete")
	}
	rep.Elapsed = time.Since(started)
	if !opts.DryRun {
		if err := im.audit(); err != nil {
			return rep, err
		}
		problems, err := ledger.Verify(app)
		if err != nil {
			return rep, err
		}
		if len(problems) > 0 {
			return rep, fmt.Errorf("ledger verify fails after the import (%d problems), first: %s", len(problems), problems[0])
		}
	}
	return rep, nil
}

// importer is one run's state. Its maps grow with the users, tools and
// reviews of the dump, not with its usage rows.
type importer struct {
	app  core.App
	opts Options
	rep  *Report
	f    *os.File
	scan *scanned
	prog *progress

	// Django id → toolbase id of what is imported (or present, or, in a dry
	// run, would be: "dry-run"); absent when it is not
	users, tools map[int64]string
	profiles     map[int64]*djProfile // by user id
	emails       map[string]int       // lower-cased email → row index
	usernames    map[string]bool      // lower-cased usernames given so far
	keyHashes    map[string]int       // key hash → row index
	reviews      map[[2]int64]struct{}
	toolDump     map[int64]*toolTally
	rowsWritten  int64 // usage and reviews, for nextID
}

// nextID returns the id of a new usage or review: a valid PocketBase id (15
// characters of [a-z0-9]) whose first 5 characters count the rows this run
// wrote and the 10 others are random. A million random ids would each land
// on a random page of the id index, and the inserts slow down fourfold once
// the index outgrows SQLite's cache; ids in order land on the same few pages.
func (im *importer) nextID() string {
	n := strconv.FormatInt(im.rowsWritten, 36)
	im.rowsWritten++
	if len(n) < 5 {
		n = strings.Repeat("0", 5-len(n)) + n
	}
	return n + security.RandomStringWithAlphabet(core.DefaultIdLength-len(n), core.DefaultIdAlphabet)
}

// toolTally is a tool's counters on the platform and as imported.
type toolTally struct {
	path                      string
	dumpUses                  int64
	dumpRevenue               json.RawMessage
	dumpRating                json.RawMessage
	uses, spent, rSum, rCount int64
}

const dryRunID = "(dry-run)"

// each calls fn for every row of model, in the file's order.
func (im *importer) each(model string, fn func(i int, r row) error) error {
	total := int64(im.scan.counts[model])
	if total == 0 {
		return nil
	}
	im.prog.phase(model, total)
	defer im.prog.done()
	for _, seg := range im.scan.segments {
		if seg.model != model {
			continue
		}
		if err := readSegment(im.f, seg, func(i int, r row) error {
			im.prog.add(1)
			return fn(i, r)
		}); err != nil {
			return err
		}
	}
	return nil
}

// skip counts a row left out and says why.
func (im *importer) skip(model string, i int, err error) {
	path := rowPath(i)
	var fe *fieldError
	if errors.As(err, &fe) && fe.field != "" {
		path += ".fields." + fe.field
		err = errors.New(fe.msg)
	}
	im.rep.Counts[model].Skipped++
	im.rep.add(model, LevelError, path, "not imported: %v", err)
}

func (im *importer) warn(model string, i int, field, format string, args ...any) {
	path := rowPath(i)
	if field != "" {
		path += ".fields." + field
	}
	im.rep.add(model, LevelWarning, path, format, args...)
}

// legacyIDs returns Django id → toolbase id of the records of collection
// imported by earlier runs.
func (im *importer) legacyIDs(collection string) (map[int64]string, error) {
	var rows []struct {
		ID     string `db:"id"`
		Legacy int64  `db:"legacy_id"`
	}
	err := im.app.DB().Select(c.FieldID, c.FieldLegacyID).From(collection).
		Where(dbx.NewExp("[[" + c.FieldLegacyID + "]] != 0")).All(&rows)
	if err != nil {
		return nil, fmt.Errorf("reading the records imported before: %w", err)
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.Legacy] = r.ID
	}
	return out, nil
}

// ---------------------------------------------------------------------------
// Users and their profiles

func (im *importer) profilesStep() error {
	return im.each(modelProfile, func(i int, r row) error {
		var p djProfile
		if err := decodeFields(r.Fields, &p); err != nil {
			im.skip(modelProfile, i, err)
			return nil
		}
		user, err := parsePK(p.User)
		if err != nil || user == 0 {
			im.skip(modelProfile, i, fieldErr("user", "not a user id"))
			return nil
		}
		if _, dup := im.profiles[user]; dup {
			im.skip(modelProfile, i, fieldErr("user", "a second profile of user %d", user))
			return nil
		}
		p.User = json.RawMessage(strconv.Itoa(i)) // the row, for the users step
		im.profiles[user] = &p
		return nil
	})
}

// usernamePattern is the users collection's pattern (ASCII \w, unlike
// Django's, which admits any letter).
var usernamePattern = regexp.MustCompile(`^[\w.@+-]+$`)

func (im *importer) usersStep() error {
	present, err := im.legacyIDs(c.Users)
	if err != nil {
		return err
	}
	users, err := im.app.FindCachedCollectionByNameOrId(c.Users)
	if err != nil {
		return err
	}
	seenPK := map[int64]bool{}
	err = im.each(modelUser, func(i int, r row) error {
		pk, err := parsePK(r.PK)
		if err != nil {
			im.skip(modelUser, i, err)
			return nil
		}
		if seenPK[pk] {
			im.skip(modelUser, i, fmt.Errorf("a second row with pk %d", pk))
			return nil
		}
		seenPK[pk] = true
		var u djUser
		if err := decodeFields(r.Fields, &u); err != nil {
			im.skip(modelUser, i, err)
			return nil
		}
		if id, ok := present[pk]; ok {
			im.users[pk] = id
			im.emails[strings.ToLower(u.Email)] = i
			im.rep.Counts[modelUser].Present++
			return nil
		}
		rec, opening, err := im.userRecord(users, i, pk, &u)
		if err != nil {
			im.skip(modelUser, i, err)
			return nil
		}
		if !im.opts.DryRun {
			if err := im.saveUser(rec, opening, u.UpdatedAt); err != nil {
				return fmt.Errorf("%s: saving user %s: %w", rowPath(i), u.Email, err)
			}
			im.users[pk] = rec.Id
		} else {
			im.users[pk] = dryRunID
		}
		im.rep.Counts[modelUser].Imported++
		switch ClassifyPassword(u.Password) {
		case PasswordUnusable, PasswordOtherHasher:
			if len(im.rep.NeedReset) < 1000 {
				im.rep.NeedReset = append(im.rep.NeedReset, u.Email)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for user, p := range im.profiles {
		if _, ok := seenPK[user]; !ok {
			i, _ := strconv.Atoi(string(p.User))
			im.skip(modelProfile, i, fieldErr("user", "user %d is not in the dump", user))
		} else if _, ok := im.users[user]; !ok {
			im.rep.Counts[modelProfile].Skipped++ // its user's error says why
		} else if _, ok := present[user]; ok {
			im.rep.Counts[modelProfile].Present++
		} else {
			im.rep.Counts[modelProfile].Imported++
		}
	}
	return nil
}

// opening is a new user's balances, posted as OPENING rows.
type opening struct{ points, revenue, payouts int64 }

// userRecord checks a user row and returns the record to save.
func (im *importer) userRecord(users *core.Collection, i int, pk int64, u *djUser) (*core.Record, opening, error) {
	var bal opening
	var err error
	email := strings.TrimSpace(u.Email)
	lower := strings.ToLower(email)
	if email == "" {
		return nil, bal, fieldErr("email", "no email: toolbase signs users in by email")
	}
	if j, dup := im.emails[lower]; dup {
		return nil, bal, fieldErr("email", "%s is the email of %s too, ignoring case (emails are unique ignoring case in toolbase)", email, rowPath(j))
	}
	var other string
	err = im.app.DB().Select(c.FieldID).From(c.Users).
		Where(dbx.NewExp("[[email]] = {:e} COLLATE NOCASE", dbx.Params{"e": email})).Limit(1).Row(&other)
	if err == nil {
		return nil, bal, fieldErr("email", "%s is already the email of toolbase user %s", email, other)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, bal, err
	}
	if bal.points, err = parsePoints(u.PointsBalance); err != nil {
		return nil, bal, fieldErr("points_balance", "%v", err)
	}
	if bal.points < 0 {
		return nil, bal, fieldErr("points_balance", "negative balance %d", bal.points)
	}
	if bal.revenue, err = parsePoints(u.TotalRevenue); err != nil {
		return nil, bal, fieldErr("total_revenue", "%v", err)
	}
	if bal.payouts, err = parsePoints(u.TotalPayouts); err != nil {
		return nil, bal, fieldErr("total_payouts", "%v", err)
	}
	if bal.payouts < 0 || bal.revenue < bal.payouts {
		return nil, bal, fieldErr("total_payouts", "negative balance: total_revenue %d, total_payouts %d", bal.revenue, bal.payouts)
	}
	created, err := parseTime(u.CreatedAt)
	if err == nil && created.IsZero() {
		created, err = parseTime(u.DateJoined)
	}
	if err != nil {
		return nil, bal, fieldErr("created_at", "%v", err)
	}
	if _, err := parseTime(u.UpdatedAt); err != nil {
		return nil, bal, fieldErr("updated_at", "%v", err)
	}

	rec := core.NewRecord(users)
	rec.Set(c.FieldLegacyID, pk)
	rec.SetEmail(email)
	rec.SetRaw(c.UserPassword, &core.PasswordFieldValue{Hash: storableHash(u.Password)})
	rec.Set(c.UserFirstName, u.FirstName)
	rec.Set(c.UserLastName, u.LastName)
	rec.Set(c.UserRole, u.Role)
	rec.Set(c.UserPhoneNumber, deref(u.PhoneNumber))
	rec.Set(c.UserCompanyName, deref(u.CompanyName))
	rec.Set(c.UserBio, deref(u.Bio))
	rec.Set(c.UserDeactivated, !boolOr(u.IsActive, true))
	rec.Set(c.UserEmailNotifications, true)
	if p := im.profiles[pk]; p != nil {
		rec.Set(c.UserWebsite, deref(p.Website))
		rec.Set(c.UserLocation, deref(p.Location))
		if skills, err := compactJSON(p.Skills); err == nil && skills != "" {
			rec.Set(c.UserSkills, types.JSONRaw(skills))
		}
		rec.Set(c.UserEmailNotifications, boolOr(p.EmailNotifications, true))
		rec.Set(c.UserMarketingEmails, boolOr(p.MarketingEmails, false))
	}
	rec.Set(c.UserTotalRevenue, bal.payouts) // + the OPENING revenue row
	rec.Set(c.UserTotalPayouts, bal.payouts)
	if !created.IsZero() {
		rec.SetRaw(c.FieldCreatedAt, created)
	}

	// the username: Django allows any letter, toolbase ASCII ones
	username := u.Username
	if !usernamePattern.MatchString(username) || utf8.RuneCountInString(username) > 150 || im.usernameTaken(username) {
		renamed := fmt.Sprintf("django_%d", pk)
		if im.usernameTaken(renamed) {
			return nil, bal, fieldErr("username", "%q cannot be kept (invalid or taken) and neither can %q", username, renamed)
		}
		im.warn(modelUser, i, "username", "username %q is invalid or taken in toolbase: imported as %q (users sign in by email)", username, renamed)
		username = renamed
	}
	rec.Set(c.UserUsername, username)

	if u.IsSuperuser && u.Role != c.RoleAdmin {
		im.warn(modelUser, i, "is_superuser", "a Django superuser with role %s: imported with that role (make it ADMIN, or a PocketBase superuser, by hand)", u.Role)
	}
	if deref(u.Avatar) != "" {
		im.warn(modelUser, i, "avatar", "avatar %q not imported: the file is on the old server (upload it again)", deref(u.Avatar))
	}
	if deref(u.APIKey) != "" {
		im.warn(modelUser, i, "api_key", "the account-level api_key is not imported (toolbase's keys are tools.toolapikey)")
	}
	if err := im.validate(rec, modelUser, i, softUserFields); err != nil {
		return nil, bal, err
	}
	im.emails[lower] = i
	im.usernames[strings.ToLower(username)] = true
	return rec, bal, nil
}

// storableHash is what the password column keeps of a Django password field:
// the hash itself (never accepted by bcrypt; a PBKDF2 one is converted at
// the first login), or "!" for an empty one (unusable).
func storableHash(encoded string) string {
	if encoded == "" {
		return "!"
	}
	return encoded
}

func (im *importer) usernameTaken(name string) bool {
	if im.usernames[strings.ToLower(name)] {
		return true
	}
	var id string
	err := im.app.DB().Select(c.FieldID).From(c.Users).
		Where(dbx.NewExp("[[username]] = {:u} COLLATE NOCASE", dbx.Params{"u": name})).Limit(1).Row(&id)
	return err == nil
}

var (
	softUserFields = []string{c.UserFirstName, c.UserLastName, c.UserPhoneNumber, c.UserCompanyName, c.UserBio,
		c.UserWebsite, c.UserLocation, c.UserSkills}
	softToolFields = []string{c.ToolDescription, c.ToolAPIEndpoint, c.ToolAPIDocumentation, c.ToolTags, c.ToolVersion}
)

// validate validates rec as a save would; a value of a soft field that
// toolbase refuses (too long, not a URL…) is shortened or dropped, with a
// warning, and the other errors refuse the row.
// Errors of the fields in ignore are ignored: in a dry run, the relations to
// records not saved.
func (im *importer) validate(rec *core.Record, model string, i int, soft []string, ignore ...string) error {
	for attempt := 0; attempt < 2; attempt++ {
		err := im.app.ValidateWithContext(ledger.SystemContext, rec)
		if err == nil {
			return nil
		}
		var errs validation.Errors
		if !errors.As(err, &errs) {
			return err
		}
		for _, f := range ignore {
			delete(errs, f)
		}
		if len(errs) == 0 {
			return nil
		}
		if attempt == 1 {
			return errs
		}
		for _, field := range slices.Sorted(maps.Keys(errs)) {
			ferr := errs[field]
			if !contains(soft, field) {
				return fieldErr(field, "%v", ferr)
			}
			value := rec.GetString(field)
			if tf, ok := rec.Collection().Fields.GetByName(field).(*core.TextField); ok && tf.Max > 0 && utf8.RuneCountInString(value) > tf.Max {
				rec.Set(field, string([]rune(value)[:tf.Max]))
				im.warn(model, i, field, "%s cut to %d characters (toolbase's limit)", field, tf.Max)
				continue
			}
			rec.Set(field, nil)
			im.warn(model, i, field, "%s %q dropped: %v", field, value, ferr)
		}
	}
	return nil
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }

// saveUser saves a new user and posts its opening balances, in one
// transaction: a user is imported whole or not at all.
func (im *importer) saveUser(rec *core.Record, bal opening, updatedAt string) error {
	return im.app.RunInTransaction(func(tx core.App) error {
		if err := tx.SaveWithContext(ledger.SystemContext, rec); err != nil {
			return err
		}
		note := fmt.Sprintf("opening balance imported from the Django platform (user %d)", rec.GetInt(c.FieldLegacyID))
		var entries []ledger.Entry
		if bal.points > 0 {
			entries = append(entries, ledger.Entry{User: rec.Id, Account: c.AccountPoints, Kind: c.KindOpening, Amount: bal.points, Note: note})
		}
		if pending := bal.revenue - bal.payouts; pending > 0 {
			entries = append(entries, ledger.Entry{User: rec.Id, Account: c.AccountRevenue, Kind: c.KindOpening, Amount: pending, Note: note})
		}
		if len(entries) > 0 {
			if _, err := ledger.Post(tx, entries...); err != nil {
				return err
			}
		}
		// the platform's updated_at, not the import's
		if updated, err := parseTime(updatedAt); err == nil && !updated.IsZero() {
			_, err := tx.DB().Update(c.Users, dbx.Params{c.FieldUpdatedAt: updated.String()}, dbx.HashExp{c.FieldID: rec.Id}).Execute()
			return err
		}
		return nil
	})
}

// ---------------------------------------------------------------------------
// Tools

func (im *importer) toolsStep() error {
	present, err := im.legacyIDs(c.Tools)
	if err != nil {
		return err
	}
	tools, err := im.app.FindCachedCollectionByNameOrId(c.Tools)
	if err != nil {
		return err
	}
	return im.each(modelTool, func(i int, r row) error {
		pk, err := parsePK(r.PK)
		if err != nil {
			im.skip(modelTool, i, err)
			return nil
		}
		if _, dup := im.toolDump[pk]; dup {
			im.skip(modelTool, i, fmt.Errorf("a second row with pk %d", pk))
			return nil
		}
		var t djTool
		if err := decodeFields(r.Fields, &t); err != nil {
			im.skip(modelTool, i, err)
			return nil
		}
		tally := &toolTally{path: rowPath(i), dumpRevenue: t.TotalRevenue, dumpRating: t.AverageRating}
		tally.dumpUses, _ = parseInt(t.TotalUses)
		if id, ok := present[pk]; ok {
			im.tools[pk] = id
			im.toolDump[pk] = tally
			im.rep.Counts[modelTool].Present++
			return nil
		}
		rec, err := im.toolRecord(tools, i, pk, &t)
		if err != nil {
			im.skip(modelTool, i, err)
			return nil
		}
		im.toolDump[pk] = tally
		if im.opts.DryRun {
			im.tools[pk] = dryRunID
		} else {
			if err := im.app.SaveWithContext(ledger.SystemContext, rec); err != nil {
				return fmt.Errorf("%s: saving tool %q: %w", rowPath(i), t.Name, err)
			}
			im.tools[pk] = rec.Id
		}
		im.rep.Counts[modelTool].Imported++
		return nil
	})
}

func (im *importer) toolRecord(tools *core.Collection, i int, pk int64, t *djTool) (*core.Record, error) {
	creator, err := parsePK(t.Creator)
	if err != nil {
		return nil, fieldErr("creator", "%v", err)
	}
	creatorID, ok := im.users[creator]
	if !ok {
		return nil, fieldErr("creator", "user %d is not imported (missing from the dump, or refused above)", creator)
	}
	cost, err := parseInt(t.PointsCost)
	if err != nil {
		return nil, fieldErr("points_cost", "%v", err)
	}
	created, err := parseTime(t.CreatedAt)
	if err != nil {
		return nil, fieldErr("created_at", "%v", err)
	}
	updated, err := parseTime(t.UpdatedAt)
	if err != nil {
		return nil, fieldErr("updated_at", "%v", err)
	}
	rec := core.NewRecord(tools)
	rec.Set(c.FieldLegacyID, pk)
	rec.Set(c.ToolName, t.Name)
	rec.Set(c.ToolDescription, t.Description)
	rec.Set(c.ToolCategory, t.Category)
	rec.Set(c.ToolStatus, t.Status)
	if creatorID != dryRunID {
		rec.Set(c.ToolCreator, creatorID)
	}
	rec.Set(c.ToolPointsCost, cost)
	rec.Set(c.ToolAPIEndpoint, deref(t.APIEndpoint))
	rec.Set(c.ToolAPIDocumentation, deref(t.APIDocumentation))
	if tags, err := compactJSON(t.Tags); err != nil {
		return nil, fieldErr("tags", "%v", err)
	} else if tags != "" {
		rec.Set(c.ToolTags, types.JSONRaw(tags))
	}
	rec.Set(c.ToolVersion, t.Version)
	if !created.IsZero() {
		rec.SetRaw(c.FieldCreatedAt, created)
	}
	if !updated.IsZero() {
		rec.SetRaw(c.FieldUpdatedAt, updated)
	}
	var ignore []string
	if creatorID == dryRunID {
		ignore = append(ignore, c.ToolCreator) // not saved: cannot be checked
	}
	if err := im.validate(rec, modelTool, i, softToolFields, ignore...); err != nil {
		return nil, err
	}
	return rec, nil
}

// ---------------------------------------------------------------------------
// Usage and reviews: many rows, written in batches by prepared statements

const insertUsageSQL = `INSERT INTO tool_usage (id, tool, user, input_data, output_data, points_spent, creator_earning,
	execution_time_ms, success, error_message, state, legacy_id, created_at, updated_at)
	VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8, ?9, 'SUCCEEDED', ?10, ?11, ?11)`

type usageRow struct {
	i                 int
	pk                int64
	toolPK            int64
	tool, user        string
	input, output     any
	spent, durationMs int64
	success           bool
	errMsg            string
	created           string
}

func (im *importer) usageStep() error {
	batch := make([]usageRow, 0, im.opts.BatchSize)
	maxInput := maxJSON(im.app, c.ToolUsage, c.UsageInputData)
	maxOutput := maxJSON(im.app, c.ToolUsage, c.UsageOutputData)
	err := im.each(modelUsage, func(i int, r row) error {
		u, err := im.usageRow(i, r, maxInput, maxOutput)
		if err != nil {
			im.skip(modelUsage, i, err)
			return nil
		}
		batch = append(batch, u)
		if len(batch) == cap(batch) {
			err = im.flushUsage(batch)
			batch = batch[:0]
		}
		return err
	})
	if err != nil {
		return err
	}
	return im.flushUsage(batch)
}

func (im *importer) usageRow(i int, r row, maxInput, maxOutput int) (usageRow, error) {
	u := usageRow{i: i}
	var err error
	if u.pk, err = parsePK(r.PK); err != nil {
		return u, err
	}
	var d djUsage
	if err := decodeFields(r.Fields, &d); err != nil {
		return u, err
	}
	if u.toolPK, err = parsePK(d.Tool); err != nil {
		return u, fieldErr("tool", "%v", err)
	}
	userPK, err := parsePK(d.User)
	if err != nil {
		return u, fieldErr("user", "%v", err)
	}
	var ok bool
	if u.tool, ok = im.tools[u.toolPK]; !ok {
		return u, fieldErr("tool", "tool %d is not imported (missing from the dump, or refused above)", u.toolPK)
	}
	if u.user, ok = im.users[userPK]; !ok {
		return u, fieldErr("user", "user %d is not imported (missing from the dump, or refused above)", userPK)
	}
	if u.spent, err = parseInt(d.PointsSpent); err != nil || u.spent < 0 || u.spent > c.MaxPoints {
		return u, fieldErr("points_spent", "not an amount of points: %s", string(d.PointsSpent))
	}
	in, err := compactJSON(d.InputData)
	if err != nil {
		return u, fieldErr("input_data", "%v", err)
	}
	if len(in) > maxInput {
		return u, fieldErr("input_data", "%d bytes, over toolbase's limit of %d", len(in), maxInput)
	}
	out, err := compactJSON(d.OutputData)
	if err != nil {
		return u, fieldErr("output_data", "%v", err)
	}
	if len(out) > maxOutput {
		return u, fieldErr("output_data", "%d bytes, over toolbase's limit of %d", len(out), maxOutput)
	}
	u.input, u.output = nullable(in), nullable(out)
	if d.ExecutionTime != nil {
		if u.durationMs, err = parseDuration(*d.ExecutionTime); err != nil {
			return u, fieldErr("execution_time", "%v", err)
		}
	}
	u.success = boolOr(d.Success, true)
	u.errMsg = deref(d.ErrorMessage)
	if n := utf8.RuneCountInString(u.errMsg); n > 2000 {
		u.errMsg = string([]rune(u.errMsg)[:2000])
		im.warn(modelUsage, i, "error_message", "error_message cut to 2000 characters (toolbase's limit)")
	}
	created, err := parseTime(d.CreatedAt)
	if err != nil || created.IsZero() {
		return u, fieldErr("created_at", "not a date and time: %q", d.CreatedAt)
	}
	u.created = created.String()
	return u, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// maxJSON is a JSON field's size limit.
func maxJSON(app core.App, collection, field string) int {
	col, err := app.FindCachedCollectionByNameOrId(collection)
	if err == nil {
		if f, ok := col.Fields.GetByName(field).(*core.JSONField); ok && f.MaxSize > 0 {
			return int(f.MaxSize)
		}
	}
	return int(core.DefaultJSONFieldMaxSize)
}

// presentLegacy returns which of pks collection holds already.
func presentLegacy(db dbx.Builder, collection string, pks []any) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(pks) == 0 {
		return out, nil
	}
	var found []int64
	// the condition of the partial index, stated, lets SQLite use it
	err := db.Select(c.FieldLegacyID).From(collection).Where(dbx.And(dbx.In(c.FieldLegacyID, pks...),
		dbx.NewExp("[["+c.FieldLegacyID+"]] != 0"))).Column(&found)
	for _, pk := range found {
		out[pk] = true
	}
	return out, err
}

// flushUsage writes a batch of usage rows, not yet present, and moves their
// tools' counters, in one transaction: after any commit the counters match
// the usage rows (ledger verify passes whenever the import stops).
func (im *importer) flushUsage(batch []usageRow) error {
	if len(batch) == 0 {
		return nil
	}
	pks := make([]any, len(batch))
	for k, u := range batch {
		pks[k] = u.pk
	}
	count := func(present map[int64]bool) {
		for _, u := range batch {
			if present[u.pk] {
				im.rep.Counts[modelUsage].Present++
				continue
			}
			im.rep.Counts[modelUsage].Imported++
			if t := im.toolDump[u.toolPK]; t != nil {
				t.uses++
				t.spent += u.spent
			}
		}
	}
	if im.opts.DryRun {
		present, err := presentLegacy(im.app.DB(), c.ToolUsage, pks)
		if err != nil {
			return err
		}
		count(present)
		return nil
	}
	var present map[int64]bool
	err := im.app.RunInTransaction(func(tx core.App) error {
		var err error
		if present, err = presentLegacy(tx.DB(), c.ToolUsage, pks); err != nil {
			return err
		}
		stmt, err := prepare(tx, insertUsageSQL)
		if err != nil {
			return err
		}
		defer stmt.Close()
		type move struct{ uses, spent int64 }
		moves := map[string]*move{}
		for _, u := range batch {
			if present[u.pk] {
				continue
			}
			id := im.nextID()
			if _, err := stmt.Exec(id, u.tool, u.user, u.input, u.output, u.spent, u.durationMs, u.success, u.errMsg, u.pk, u.created); err != nil {
				return fmt.Errorf("%s: inserting usage %d: %w", rowPath(u.i), u.pk, err)
			}
			m := moves[u.tool]
			if m == nil {
				m = &move{}
				moves[u.tool] = m
			}
			m.uses++
			m.spent += u.spent
		}
		for tool, m := range moves {
			if _, err := tx.DB().NewQuery("UPDATE tools SET total_uses = total_uses + {:n}, total_revenue = total_revenue + {:s} WHERE id = {:id}").
				Bind(dbx.Params{"n": m.uses, "s": m.spent, "id": tool}).Execute(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	count(present)
	return nil
}

const insertFeedbackSQL = `INSERT INTO tool_feedback (id, tool, user, rating, comment, is_public, legacy_id, created_at, updated_at)
	VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)`

// recountRatingsSQL is the feedback hooks' formula: the mean rounded half up
// to 2 decimals, in integer arithmetic.
const recountRatingsSQL = `UPDATE tools SET
	rating_count = (SELECT COUNT(*) FROM tool_feedback f WHERE f.tool = {:tool}),
	average_rating = COALESCE((SELECT (SUM(CAST(f.rating AS INTEGER)) * 200 + COUNT(*)) / (2 * COUNT(*))
		FROM tool_feedback f WHERE f.tool = {:tool}), 0) / 100.0
	WHERE id = {:tool}`

type feedbackRow struct {
	i                int
	pk, toolPK       int64
	tool, user       string
	rating           int64
	comment          string
	public           bool
	created, updated string
}

func (im *importer) feedbackStep() error {
	batch := make([]feedbackRow, 0, im.opts.BatchSize)
	err := im.each(modelFeedback, func(i int, r row) error {
		fb, err := im.feedbackRow(i, r)
		if err != nil {
			im.skip(modelFeedback, i, err)
			return nil
		}
		batch = append(batch, fb)
		if len(batch) == cap(batch) {
			err = im.flushFeedback(batch)
			batch = batch[:0]
		}
		return err
	})
	if err != nil {
		return err
	}
	return im.flushFeedback(batch)
}

func (im *importer) feedbackRow(i int, r row) (feedbackRow, error) {
	fb := feedbackRow{i: i}
	var err error
	if fb.pk, err = parsePK(r.PK); err != nil {
		return fb, err
	}
	var d djFeedback
	if err := decodeFields(r.Fields, &d); err != nil {
		return fb, err
	}
	if fb.toolPK, err = parsePK(d.Tool); err != nil {
		return fb, fieldErr("tool", "%v", err)
	}
	userPK, err := parsePK(d.User)
	if err != nil {
		return fb, fieldErr("user", "%v", err)
	}
	var ok bool
	if fb.tool, ok = im.tools[fb.toolPK]; !ok {
		return fb, fieldErr("tool", "tool %d is not imported (missing from the dump, or refused above)", fb.toolPK)
	}
	if fb.user, ok = im.users[userPK]; !ok {
		return fb, fieldErr("user", "user %d is not imported (missing from the dump, or refused above)", userPK)
	}
	pair := [2]int64{fb.toolPK, userPK}
	if _, dup := im.reviews[pair]; dup {
		return fb, fieldErr("user", "a second review of tool %d by user %d (one per user and tool)", fb.toolPK, userPK)
	}
	if fb.rating, err = parseInt(d.Rating); err != nil || fb.rating < 1 || fb.rating > 5 {
		return fb, fieldErr("rating", "not a rating from 1 to 5: %s", string(d.Rating))
	}
	fb.comment = deref(d.Comment)
	if utf8.RuneCountInString(fb.comment) > 2000 {
		fb.comment = string([]rune(fb.comment)[:2000])
		im.warn(modelFeedback, i, "comment", "comment cut to 2000 characters (toolbase's limit)")
	}
	fb.public = boolOr(d.IsPublic, true)
	created, err := parseTime(d.CreatedAt)
	if err != nil || created.IsZero() {
		return fb, fieldErr("created_at", "not a date and time: %q", d.CreatedAt)
	}
	updated, err := parseTime(d.UpdatedAt)
	if err != nil || updated.IsZero() {
		updated = created
	}
	fb.created, fb.updated = created.String(), updated.String()
	im.reviews[pair] = struct{}{}
	return fb, nil
}

// flushFeedback writes a batch of reviews not yet present and recounts their
// tools' ratings, in one transaction. A review of toolbase's own by the same
// user of the same tool keeps its place: the imported one is refused.
func (im *importer) flushFeedback(batch []feedbackRow) error {
	if len(batch) == 0 {
		return nil
	}
	pks := make([]any, len(batch))
	for k, fb := range batch {
		pks[k] = fb.pk
	}
	write := func(tx core.App) (map[int64]bool, map[int]error, error) {
		present, err := presentLegacy(tx.DB(), c.ToolFeedback, pks)
		if err != nil {
			return nil, nil, err
		}
		refused := map[int]error{}
		var stmt *sql.Stmt
		if !im.opts.DryRun {
			if stmt, err = prepare(tx, insertFeedbackSQL); err != nil {
				return nil, nil, err
			}
			defer stmt.Close()
		}
		touched := map[string]bool{}
		for _, fb := range batch {
			if present[fb.pk] {
				continue
			}
			if fb.tool != dryRunID && fb.user != dryRunID {
				var other string
				err := tx.DB().Select(c.FieldID).From(c.ToolFeedback).
					Where(dbx.HashExp{c.FeedbackTool: fb.tool, c.FeedbackUser: fb.user}).Limit(1).Row(&other)
				if err == nil {
					refused[fb.i] = fmt.Errorf("the user already reviewed this tool in toolbase (review %s)", other)
					continue
				}
			}
			if stmt == nil {
				continue
			}
			id := im.nextID()
			if _, err := stmt.Exec(id, fb.tool, fb.user, fb.rating, fb.comment, fb.public, fb.pk, fb.created, fb.updated); err != nil {
				return nil, nil, fmt.Errorf("%s: inserting review %d: %w", rowPath(fb.i), fb.pk, err)
			}
			touched[fb.tool] = true
		}
		for tool := range touched {
			if _, err := tx.DB().NewQuery(recountRatingsSQL).Bind(dbx.Params{"tool": tool}).Execute(); err != nil {
				return nil, nil, err
			}
		}
		return present, refused, nil
	}
	var present map[int64]bool
	var refused map[int]error
	var err error
	if im.opts.DryRun {
		present, refused, err = write(im.app)
	} else {
		err = im.app.RunInTransaction(func(tx core.App) error {
			var err error
			present, refused, err = write(tx)
			return err
		})
	}
	if err != nil {
		return err
	}
	for _, fb := range batch {
		switch {
		case present[fb.pk]:
			im.rep.Counts[modelFeedback].Present++
		case refused[fb.i] != nil:
			im.skip(modelFeedback, fb.i, refused[fb.i])
		default:
			im.rep.Counts[modelFeedback].Imported++
			if t := im.toolDump[fb.toolPK]; t != nil {
				t.rSum += fb.rating
				t.rCount++
			}
		}
	}
	return nil
}

// prepare prepares query on the transaction tx.
func prepare(tx core.App, query string) (*sql.Stmt, error) {
	db, ok := tx.DB().(*dbx.Tx)
	if !ok {
		return nil, errors.New("prepare: not in a transaction")
	}
	inner, ok := db.Builder.(interface{ Executor() dbx.Executor })
	if !ok {
		return nil, fmt.Errorf("prepare: unexpected builder %T", db.Builder)
	}
	sqlTx, ok := inner.Executor().(*sql.Tx)
	if !ok {
		return nil, fmt.Errorf("prepare: unexpected executor %T", inner.Executor())
	}
	return sqlTx.Prepare(query)
}

// ---------------------------------------------------------------------------
// API keys

// keyPattern is toolbase's key format, which the platform's keys share:
// "tk_" and 43 URL-safe base64 characters (32 bytes).
var keyPattern = regexp.MustCompile(`^tk_[A-Za-z0-9_-]{43}$`)

func (im *importer) keysStep() error {
	present, err := im.legacyIDs(c.ToolAPIKeys)
	if err != nil {
		return err
	}
	keys, err := im.app.FindCachedCollectionByNameOrId(c.ToolAPIKeys)
	if err != nil {
		return err
	}
	seenPK := map[int64]bool{}
	return im.each(modelKey, func(i int, r row) error {
		pk, err := parsePK(r.PK)
		if err != nil {
			im.skip(modelKey, i, err)
			return nil
		}
		if seenPK[pk] {
			im.skip(modelKey, i, fmt.Errorf("a second row with pk %d", pk))
			return nil
		}
		seenPK[pk] = true
		var k djKey
		if err := decodeFields(r.Fields, &k); err != nil {
			im.skip(modelKey, i, err)
			return nil
		}
		if _, ok := present[pk]; ok {
			im.keyHashes[hashKey(k.APIKey)] = i
			im.rep.Counts[modelKey].Present++
			return nil
		}
		rec, err := im.keyRecord(keys, i, pk, &k)
		if err != nil {
			im.skip(modelKey, i, err)
			return nil
		}
		if !im.opts.DryRun {
			if err := im.app.SaveWithContext(ledger.SystemContext, rec); err != nil {
				return fmt.Errorf("%s: saving API key %q: %w", rowPath(i), k.KeyName, err)
			}
		}
		im.rep.Counts[modelKey].Imported++
		return nil
	})
}

func (im *importer) keyRecord(keys *core.Collection, i int, pk int64, k *djKey) (*core.Record, error) {
	userPK, err := parsePK(k.User)
	if err != nil {
		return nil, fieldErr("user", "%v", err)
	}
	toolPK, err := parsePK(k.Tool)
	if err != nil {
		return nil, fieldErr("tool", "%v", err)
	}
	user, ok := im.users[userPK]
	if !ok {
		return nil, fieldErr("user", "user %d is not imported (missing from the dump, or refused above)", userPK)
	}
	var tool string
	if toolPK != 0 {
		if tool, ok = im.tools[toolPK]; !ok {
			return nil, fieldErr("tool", "tool %d is not imported (missing from the dump, or refused above)", toolPK)
		}
	}
	if !keyPattern.MatchString(k.APIKey) {
		return nil, fieldErr("api_key", "not a key toolbase accepts (tk_ and 43 URL-safe characters): it could never authenticate")
	}
	if _, err := base64.RawURLEncoding.DecodeString(k.APIKey[3:]); err != nil {
		return nil, fieldErr("api_key", "not a key toolbase accepts (tk_ and 43 URL-safe characters): it could never authenticate")
	}
	hash := hashKey(k.APIKey)
	if j, dup := im.keyHashes[hash]; dup {
		return nil, fieldErr("api_key", "the same key as %s: a key collides", rowPath(j))
	}
	var other string
	err = im.app.DB().Select(c.FieldID).From(c.ToolAPIKeys).
		Where(dbx.Or(dbx.HashExp{c.APIKeyHash: hash}, dbx.HashExp{c.APIKeyPreviousHash: hash})).Limit(1).Row(&other)
	if err == nil {
		return nil, fieldErr("api_key", "collides with toolbase's API key %s", other)
	}
	limits := map[string]int64{}
	for name, raw := range map[string]json.RawMessage{c.APIKeyDailyLimit: k.DailyLimit, c.APIKeyMonthlyLimit: k.MonthlyLimit,
		c.APIKeyDailyUsage: k.DailyUsage, c.APIKeyMonthlyUsage: k.MonthlyUsage} {
		n, err := parseInt(raw)
		if err != nil || n < 0 {
			return nil, fieldErr(name, "not a count: %s", string(raw))
		}
		limits[name] = n
	}
	created, err := parseTime(k.CreatedAt)
	if err != nil {
		return nil, fieldErr("created_at", "%v", err)
	}
	lastUsed, err := parseTime(deref(k.LastUsed))
	if err != nil {
		return nil, fieldErr("last_used", "%v", err)
	}
	rec := core.NewRecord(keys)
	rec.Set(c.FieldLegacyID, pk)
	if user != dryRunID {
		rec.Set(c.APIKeyUser, user)
	}
	if tool != dryRunID {
		rec.Set(c.APIKeyTool, tool)
	}
	name := strings.TrimSpace(k.KeyName)
	if name == "" {
		name = fmt.Sprintf("key %d", pk)
		im.warn(modelKey, i, "key_name", "no name: imported as %q", name)
	}
	rec.Set(c.APIKeyName, name)
	rec.Set(c.APIKeyPrefix, k.APIKey[:len("tk_")+8])
	rec.Set(c.APIKeyHash, hash)
	rec.Set(c.APIKeyIsActive, boolOr(k.IsActive, true))
	for name, n := range limits {
		rec.Set(name, n)
	}
	// the counters count the day and month of the last use; a later use
	// in another period restarts them, as toolbase's own do
	if !lastUsed.IsZero() {
		rec.Set(c.APIKeyLastUsed, lastUsed)
		rec.Set(c.APIKeyUsageDay, lastUsed.Time().Format(ledger.DayLayout))
		rec.Set(c.APIKeyUsageMonth, lastUsed.Time().Format(ledger.MonthLayout))
	}
	if !created.IsZero() {
		rec.SetRaw(c.FieldCreatedAt, created)
	}
	var ignore []string
	if user == dryRunID || tool == dryRunID {
		ignore = append(ignore, c.APIKeyUser, c.APIKeyTool) // not saved: cannot be checked
	}
	if err := im.validate(rec, modelKey, i, nil, ignore...); err != nil {
		return nil, err
	}
	im.keyHashes[hash] = i
	return rec, nil
}

// ---------------------------------------------------------------------------
// After the rows

// compareCounters notes where a tool's counters on the platform differ from
// what toolbase computes from the imported rows (toolbase's are what its
// ledger verify and statistics rely on).
func (im *importer) compareCounters() error {
	for _, pk := range slices.Sorted(maps.Keys(im.toolDump)) {
		t := im.toolDump[pk]
		id := im.tools[pk]
		uses, spent, avg := t.uses, t.spent, 0.0
		if id != "" && id != dryRunID {
			var got struct {
				Uses  int64   `db:"total_uses"`
				Spent int64   `db:"total_revenue"`
				Avg   float64 `db:"average_rating"`
			}
			if err := im.app.DB().Select(c.ToolTotalUses, c.ToolTotalRevenue, c.ToolAverageRating).From(c.Tools).
				Where(dbx.HashExp{c.FieldID: id}).One(&got); err != nil {
				return err
			}
			uses, spent, avg = got.Uses, got.Spent, got.Avg
		} else if t.rCount > 0 {
			avg = float64((t.rSum*200+t.rCount)/(2*t.rCount)) / 100
		}
		if uses != t.dumpUses {
			im.rep.add(modelTool, LevelNote, t.path+".fields.total_uses", "tool %d: total_uses %d on the platform, %d usage rows imported", pk, t.dumpUses, uses)
		}
		if rev, err := parsePoints(t.dumpRevenue); err == nil && rev != spent {
			im.rep.add(modelTool, LevelNote, t.path+".fields.total_revenue",
				"tool %d: total_revenue %d on the platform (which never counted it), %d in toolbase: the points its imported usage spent", pk, rev, spent)
		}
		if want, ok := parseRating(t.dumpRating); ok && fmt.Sprintf("%.2f", want) != fmt.Sprintf("%.2f", avg) {
			im.rep.add(modelTool, LevelNote, t.path+".fields.average_rating", "tool %d: average_rating %.2f on the platform, %.2f recomputed from the imported reviews", pk, want, avg)
		}
	}
	return nil
}

// audit appends one audit_log row for the run, by the CLI.
func (im *importer) audit() error {
	col, err := im.app.FindCachedCollectionByNameOrId(c.AuditLog)
	if err != nil {
		return err
	}
	counts := map[string]any{}
	imported := 0
	for m, n := range im.rep.Counts {
		counts[m] = map[string]int{"in_file": n.InFile, "imported": n.Imported, "present": n.Present, "skipped": n.Skipped}
		imported += n.Imported
	}
	if imported == 0 {
		return nil
	}
	rec := core.NewRecord(col)
	rec.Set(c.AuditActorEmail, cliName())
	rec.Set(c.AuditActorRole, "CLI")
	rec.Set(c.AuditAction, "import.django")
	rec.Set(c.AuditTarget, im.rep.File)
	rec.Set(c.AuditAfter, counts)
	return ledger.SaveSystem(im.app, rec)
}

// hashKey is how toolbase stores an API key (hooks' hashSecret): its SHA-256,
// in hex. The import test proves the two agree: the imported keys work.
func hashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

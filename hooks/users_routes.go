package hooks

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/ozzo-validation/v4/is"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// The DRF API's /api/users/ routes (spec section 4, seed-api.md "Users").
// Who may see or change which user is the users collection's API rules: lists
// go through listQuery, details through findVisible, writes through allowed()
// with the fields read as @request.body, registration through the create rule.

// Limits of the user fields, as the users collection's schema.
const (
	maxEmailChars    = 254
	maxUsernameChars = 150
	maxNameChars     = 150
	maxPhoneChars    = 20
	maxCompanyChars  = 200
	maxBioChars      = 2000
	maxLocationChars = 200
	minPasswordChars = 8
	// bcrypt reads at most 72 bytes; PocketBase's password field refuses more than 71 characters
	maxPasswordLen = 71
)

// Messages of Django and the DRF API that clients may match on.
const (
	msgPasswordsDontMatch = "Passwords don't match"
	msgEmailTaken         = "user with this email already exists."
	msgUsernameTaken      = "A user with that username already exists."
	msgInvalidEmail       = "Enter a valid email address."
	msgInvalidUsername    = "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
	msgUserHasHistory     = "This user has usage or ledger history, which is never deleted. Change the user's role instead."
	msgUserOwnsTools      = "This user owns tools. Delete or hand over the tools first, or change the user's role instead."
)

var usernamePattern = regexp.MustCompile(`^[\w.@+-]+$`)

// userTextFields are the plain text fields of a user body and their limits.
var userTextFields = []struct {
	name string
	max  int
}{
	{c.UserFirstName, maxNameChars},
	{c.UserLastName, maxNameChars},
	{c.UserPhoneNumber, maxPhoneChars},
	{c.UserCompanyName, maxCompanyChars},
	{c.UserBio, maxBioChars},
}

// profileFields are the users fields shown and written as the nested profile.
var profileFields = []string{c.UserWebsite, c.UserLocation, c.UserSkills, c.UserEmailNotifications, c.UserMarketingEmails}

// profileBody is the nested profile of a user body.
var profileBody = &bodySpec{name: "ProfileWrite", desc: "Profile fields to change; the others keep their values.",
	fields: []bodyField{
		linkF(c.UserWebsite).about("An http(s) URL, or `\"\"` to clear it."),
		textF(c.UserLocation, maxLocationChars),
		stringListF(c.UserSkills, maxListItems, maxItemChars),
		boolF(c.UserEmailNotifications),
		boolF(c.UserMarketingEmails),
	}}

// userBody is a user body: the email when withEmail, the password and its
// confirmation when withPassword, then the profile's fields.
func userBody(name, desc string, withEmail, withPassword bool) *bodySpec {
	b := &bodySpec{name: name, desc: desc}
	if withEmail {
		b.fields = append(b.fields, textF(c.UserEmail, maxEmailChars).req().formatted("email").about("A valid address, unique ignoring case."))
	}
	b.fields = append(b.fields, textF(c.UserUsername, maxUsernameChars).req().matching(usernamePattern, msgInvalidUsername).
		about("Letters, digits and `@ . + - _`; unique ignoring case."))
	if withPassword {
		b.fields = append(b.fields,
			secretF("password", maxPasswordLen).checkedLater(minPasswordChars).formatted("password").
				about("8–71 characters; not entirely numeric; not the username or the email's local part."),
			secretF("password_confirm", -1).formatted("password").about("The same password."))
	}
	for _, tf := range userTextFields {
		b.fields = append(b.fields, textF(tf.name, tf.max))
	}
	b.fields = append(b.fields, objectF("profile", profileBody))
	return b
}

// The user bodies.
var (
	registerBody = userBody("RegisterRequest", "A new client. `role` and balances are ignored: a registered user is a CLIENT with 0 points.", true, true)
	userEditBody = userBody("UserUpdate", "An admin's edit of a user. PUT requires `email` and `username`. Role and balances are read-only "+
		"(see `change_role/`, `add_points/`, `deduct_points/`); changing another user's email signs that user out.", true, false)
	meEditBody = userBody("MeUpdate", "An edit of the caller's own profile. PUT requires `username`. `email`, `role` and balances are read-only here "+
		"(email changes go through PocketBase's email-change flow).", false, false)
	roleBody = &bodySpec{name: "RoleChange", fields: []bodyField{choiceF(c.UserRole, c.Roles).req()}}
)

func bindUserRoutes(public, authed group) {
	route(public, "/users/register/", map[string]handler{http.MethodPost: registerUser})

	admin := func(h handler) handler { return withRoles(h, c.RoleAdmin) }
	admins := only(authed, c.RoleAdmin)
	route(admins, "/users/users/", map[string]handler{http.MethodGet: listUsers})
	route(authed, "/users/users/me/", map[string]handler{http.MethodGet: showMe})
	route(authed, "/users/users/update_me/", map[string]handler{http.MethodPut: updateMe, http.MethodPatch: updateMe})
	route(authed, "/users/users/{id}/", map[string]handler{
		http.MethodGet:    showUser,
		http.MethodPut:    admin(updateUser),
		http.MethodPatch:  admin(updateUser),
		http.MethodDelete: admin(deleteUser),
	})
	route(admins, "/users/users/{id}/change_role/", map[string]handler{http.MethodPost: changeRole})
	route(admins, "/users/clients/", map[string]handler{http.MethodGet: listByRole(c.RoleClient, clientViewOf)})
	route(authed, "/users/clients/points_balance/", map[string]handler{http.MethodGet: pointsBalance})
	route(admins, "/users/tool-creators/", map[string]handler{http.MethodGet: listByRole(c.RoleToolCreator, creatorViewOf)})
	route(only(authed, c.RoleToolCreator), "/users/tool-creators/revenue_stats/", map[string]handler{http.MethodGet: revenueStats})
}

// newestUsersFirst orders users lists (qualified: rule joins add other tables).
var newestUsersFirst = []string{c.Users + "." + c.FieldCreatedAt + " DESC", c.Users + "." + c.FieldID + " DESC"}

// usersListing lists users newest first, each shown by show.
func usersListing(show shower) listing {
	return listing{collection: c.Users, order: newestUsersFirst, show: show}
}

// --- reads -----------------------------------------------------------------

// listUsers is GET users/ (admin): paginated, newest first; ?role= and
// ?search= (email, username, names) narrow it.
func listUsers(e *core.RequestEvent) error {
	query := e.Request.URL.Query()
	role, search := query.Get("role"), strings.TrimSpace(query.Get("search"))
	if role != "" && !validRole(role) {
		return FieldErrors{"role": {fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", role)}}.Err()
	}
	if len([]rune(search)) > 200 {
		search = string([]rune(search)[:200])
	}
	var conds []dbx.Expression
	if role != "" {
		conds = append(conds, dbx.HashExp{c.Users + "." + c.UserRole: role})
	}
	if search != "" {
		var likes []string
		for _, f := range []string{c.UserEmail, c.UserUsername, c.UserFirstName, c.UserLastName} {
			likes = append(likes, "[["+c.Users+"."+f+"]] LIKE {:toolbaseUserSearch} ESCAPE '\\'")
		}
		conds = append(conds, dbx.NewExp("("+strings.Join(likes, " OR ")+")", dbx.Params{"toolbaseUserSearch": "%" + escapeLike(search) + "%"}))
	}
	return usersListing(each(userListViewOf)).list(e, conds...)
}

// listByRole is clients/ and tool-creators/ (admin): the DRF API's bare arrays.
func listByRole(role string, show func(*core.Record) any) handler {
	return func(e *core.RequestEvent) error {
		return usersListing(each(show)).bare(e, dbx.HashExp{c.Users + "." + c.UserRole: role})
	}
}

// showUser is GET users/{id}/: admins any user, others only themselves (404).
func showUser(e *core.RequestEvent) error {
	return usersListing(each(userViewOf)).detail(e)
}

// showMe is GET users/me/.
func showMe(e *core.RequestEvent) error {
	return e.JSON(http.StatusOK, userViewOf(e.Auth))
}

// pointsBalance is GET clients/points_balance/. Admins use tools free (spec
// section 3), so they can always use tools.
func pointsBalance(e *core.RequestEvent) error {
	u := c.AsUser(e.Auth)
	return e.JSON(http.StatusOK, struct {
		PointsBalance int64 `json:"points_balance"`
		CanUseTools   bool  `json:"can_use_tools"`
	}{u.PointsBalance(), u.IsAdmin() || u.PointsBalance() > 0})
}

// revenueStats is GET tool-creators/revenue_stats/ (creators).
func revenueStats(e *core.RequestEvent) error {
	u := c.AsUser(e.Auth)
	return e.JSON(http.StatusOK, struct {
		TotalRevenue   int64 `json:"total_revenue"`
		TotalPayouts   int64 `json:"total_payouts"`
		PendingBalance int64 `json:"pending_balance"`
	}{u.TotalRevenue(), u.TotalPayouts(), u.PendingBalance()})
}

// --- writes ----------------------------------------------------------------

// registerUser is POST register/ (public): a CLIENT with 0 points. Role and
// balances in the body are ignored; the users create rule decides whether
// registration is open.
func registerUser(e *core.RequestEvent) error {
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	readUserBody(f, registerBody)
	if err := f.err(); err != nil {
		return err
	}
	password, _ := f.cleanText("password")
	if confirm, _ := f.cleanText("password_confirm"); password != confirm {
		return errNonField(msgPasswordsDontMatch)
	}
	if msgs := passwordProblems(password, f.clean); len(msgs) > 0 {
		return FieldErrors{"password": msgs}.Err()
	}
	checkUserUnique(e.App, f, "")
	if err := f.err(); err != nil {
		return err
	}

	users, err := e.App.FindCachedCollectionByNameOrId(c.Users)
	if err != nil {
		return err
	}
	rec := core.NewRecord(users)
	applyUserFields(rec, f)
	applyOmittedDefaults(rec, func(field string) bool {
		p, _ := f.clean["profile"].(map[string]any)
		_, ok := p[field]
		return ok
	})
	rec.Set(c.UserRole, c.RoleClient)
	rec.SetPassword(password)

	ok, err := canCreate(e, rec)
	if err != nil {
		return err
	}
	if !ok {
		return errDetail(http.StatusForbidden, "Registration is closed.")
	}
	if err := e.App.Save(rec); err != nil {
		return userSaveError(err)
	}
	return e.JSON(http.StatusCreated, userViewOf(rec))
}

// updateUser is PUT/PATCH users/{id}/ (admin). Role and balances are read-only
// here, as in the DRF API (change_role and the points routes move them).
func updateUser(e *core.RequestEvent) error {
	f, rec, err := formForUser(e)
	if err != nil {
		return err
	}
	return saveUserEdit(e, f, rec, userEditBody)
}

// updateMe is PUT/PATCH users/update_me/: the caller's own profile; email,
// role and balances are read-only.
func updateMe(e *core.RequestEvent) error {
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	rec, err := e.App.FindRecordById(c.Users, e.Auth.Id)
	if err != nil {
		return err
	}
	return saveUserEdit(e, f, rec, meEditBody)
}

// formForUser reads the body of a route on users/{id}/ and finds that user
// (404 for one the caller may not see).
func formForUser(e *core.RequestEvent) (*form, *core.Record, error) {
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return nil, nil, err
	}
	rec, err := findVisible(e, c.Users, e.Request.PathValue("id"))
	if err != nil {
		return nil, nil, err
	}
	return f, rec, nil
}

// saveUserEdit reads from f an edit of rec as body describes it, checks it
// against the update rule (and the manage rule for an email change), saves it
// and answers the user.
func saveUserEdit(e *core.RequestEvent, f *form, rec *core.Record, body *bodySpec) error {
	readUserBody(f, body)
	if err := f.err(); err != nil {
		return err
	}
	users := rec.Collection()
	if ok, err := allowed(e, rec, users.UpdateRule); err != nil || !ok {
		return firstErr(err, errForbidden)
	}
	if email, ok := f.clean[c.UserEmail].(string); ok && !strings.EqualFold(email, rec.Email()) {
		// as the records API: only a manager changes another user's email directly
		if ok, err := allowed(e, rec, users.ManageRule); err != nil || !ok {
			return firstErr(err, errForbidden)
		}
	}
	checkUserUnique(e.App, f, rec.Id)
	if err := f.err(); err != nil {
		return err
	}
	applyUserFields(rec, f)
	if err := saveAs(e.App, e.Auth, rec); err != nil {
		return userSaveError(err)
	}
	return e.JSON(http.StatusOK, userViewOf(rec))
}

// changeRole is POST users/{id}/change_role/ (admin) {role}: an invalid role is
// the DRF API's 400 {"error": "Invalid role"}; the update rule refuses an admin's
// change of its own role (403).
func changeRole(e *core.RequestEvent) error {
	f, rec, err := formForUser(e)
	if err != nil {
		return err
	}
	roleBody.read(f)
	role, ok := f.cleanText(c.UserRole)
	if !ok {
		return &apiError{status: http.StatusBadRequest, body: map[string]string{"error": "Invalid role"}}
	}
	if rec.Id == e.Auth.Id {
		return errDetail(http.StatusForbidden, "You cannot change your own role.")
	}
	if ok, err := allowed(e, rec, rec.Collection().UpdateRule); err != nil || !ok {
		return firstErr(err, errForbidden)
	}
	rec.Set(c.UserRole, role)
	if err := saveAs(e.App, e.Auth, rec); err != nil {
		return userSaveError(err)
	}
	return e.JSON(http.StatusOK, userViewOf(rec))
}

// deleteUser is DELETE users/{id}/ (admin, not itself). History is never
// deleted, so a user with usage, ledger rows or tools answers 409.
func deleteUser(e *core.RequestEvent) error {
	rec, err := findVisible(e, c.Users, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	if ok, err := allowed(e, rec, rec.Collection().DeleteRule); err != nil || !ok {
		if err == nil && rec.Id == e.Auth.Id {
			return errDetail(http.StatusForbidden, "You cannot delete your own account.")
		}
		return firstErr(err, errForbidden)
	}
	history := []struct {
		collection string
		where      dbx.Expression
		msg        string
	}{
		{c.ToolUsage, dbx.HashExp{c.UsageUser: rec.Id}, msgUserHasHistory},
		{c.PointTransactions, dbx.Or(dbx.HashExp{c.TxUser: rec.Id}, dbx.HashExp{c.TxActor: rec.Id}), msgUserHasHistory},
		{c.ToolFeedback, dbx.HashExp{c.FeedbackUser: rec.Id}, msgUserHasHistory},
		{c.Tools, dbx.HashExp{c.ToolCreator: rec.Id}, msgUserOwnsTools},
	}
	for _, h := range history {
		n, err := e.App.CountRecords(h.collection, h.where)
		if err != nil {
			return err
		}
		if n > 0 {
			return errDetail(http.StatusConflict, h.msg)
		}
	}
	if err := e.App.Delete(rec); err != nil {
		// a reference added since the checks above
		e.App.Logger().Warn("deleting a user failed", "user", rec.Id, "error", err.Error())
		return errDetail(http.StatusConflict, msgUserHasHistory)
	}
	return e.NoContent(http.StatusNoContent)
}

// --- reading and checking user bodies --------------------------------------

// readUserBody reads a user body into f, then checks the email's format and
// normalizes it.
func readUserBody(f *form, body *bodySpec) {
	body.read(f)
	if email, ok := f.cleanText(c.UserEmail); ok {
		if is.EmailFormat.Validate(email) != nil {
			f.refuse(c.UserEmail, msgInvalidEmail)
		} else {
			f.keep(c.UserEmail, normalizeEmail(email))
		}
	}
}

// normalizeEmail lowercases the domain, as Django's normalize_email.
func normalizeEmail(email string) string {
	at := strings.LastIndex(email, "@")
	if at < 0 {
		return email
	}
	return email[:at+1] + strings.ToLower(email[at+1:])
}

// applyUserFields sets the fields f read on rec.
func applyUserFields(rec *core.Record, f *form) {
	for _, name := range []string{c.UserEmail, c.UserUsername} {
		if v, ok := f.clean[name]; ok {
			rec.Set(name, v)
		}
	}
	for _, tf := range userTextFields {
		if v, ok := f.clean[tf.name]; ok {
			rec.Set(tf.name, v)
		}
	}
	if p, ok := f.clean["profile"].(map[string]any); ok {
		for _, name := range profileFields {
			if v, ok := p[name]; ok {
				rec.Set(name, v)
			}
		}
	}
}

// checkUserUnique adds the DRF API's errors for an email or username that another
// user than selfID has, ignoring case (so that login by email is unambiguous).
func checkUserUnique(app core.App, f *form, selfID string) {
	if email, ok := f.clean[c.UserEmail].(string); ok {
		if taken(app, c.UserEmail, email, selfID) {
			f.errs.Add(c.UserEmail, msgEmailTaken)
		}
	}
	if username, ok := f.clean[c.UserUsername].(string); ok {
		if taken(app, c.UserUsername, username, selfID) {
			f.errs.Add(c.UserUsername, msgUsernameTaken)
		}
	}
}

// taken reports whether a user other than selfID has value in field, ignoring case.
func taken(app core.App, field, value, selfID string) bool {
	var n int
	err := app.DB().Select("COUNT(*)").From(c.Users).
		Where(dbx.NewExp("[["+field+"]] = {:value} COLLATE NOCASE", dbx.Params{"value": value})).
		AndWhere(dbx.Not(dbx.HashExp{c.FieldID: selfID})).Row(&n)
	return err == nil && n > 0
}

// passwordProblems is a subset of Django's default password validators.
func passwordProblems(password string, clean map[string]any) []string {
	var msgs []string
	n := len([]rune(password))
	if n < minPasswordChars {
		msgs = append(msgs, fmt.Sprintf("This password is too short. It must contain at least %d characters.", minPasswordChars))
	}
	if n > maxPasswordLen {
		msgs = append(msgs, fmt.Sprintf("Ensure this field has no more than %d characters.", maxPasswordLen))
	}
	if strings.Trim(password, "0123456789") == "" && n > 0 {
		msgs = append(msgs, "This password is entirely numeric.")
	}
	for _, f := range []string{c.UserUsername, c.UserEmail} {
		v, _ := clean[f].(string)
		if f == c.UserEmail {
			v, _, _ = strings.Cut(v, "@")
		}
		if len(v) >= 3 && strings.EqualFold(v, password) {
			msgs = append(msgs, fmt.Sprintf("The password is too similar to the %s.", strings.ReplaceAll(f, "_", " ")))
		}
	}
	return msgs
}

// userSaveError turns a failed save into the DRF API's 400 (nesting the profile
// fields, and with the DRF API's messages for a taken email or username).
func userSaveError(err error) error {
	var verrs validation.Errors
	if !errors.As(err, &verrs) {
		var pbErr interface{ RawData() any }
		if errors.As(err, &pbErr) {
			if data, ok := pbErr.RawData().(validation.Errors); ok {
				verrs = data
			}
		}
	}
	if verrs == nil {
		return err
	}
	body := map[string]any{}
	profile := FieldErrors{}
	for field, fe := range verrs {
		msg := drfMessage(fe)
		var ve validation.Error
		if errors.As(fe, &ve) && ve.Code() == "validation_not_unique" {
			switch field {
			case c.UserEmail:
				msg = msgEmailTaken
			case c.UserUsername:
				msg = msgUsernameTaken
			}
		}
		if isProfileField(field) {
			profile.Add(field, msg)
		} else {
			body[field] = []string{msg}
		}
	}
	if len(profile) > 0 {
		body["profile"] = profile
	}
	return &apiError{status: http.StatusBadRequest, body: body}
}

func isProfileField(name string) bool {
	for _, p := range profileFields {
		if p == name {
			return true
		}
	}
	return false
}

func validRole(role string) bool {
	for _, r := range c.Roles {
		if r == role {
			return true
		}
	}
	return false
}

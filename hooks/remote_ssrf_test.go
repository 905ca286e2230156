package hooks

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	c "toolbase/collections"
)

// TestDialAllowedTable is the dial-time check, as an attacker writes endpoints
// (or DNS answers) that reach internal IPv4 through an IPv6 form.
func TestDialAllowedTable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		addr    string
		allowed bool
		why     string
	}{
		{"127.0.0.1", false, "loopback"},
		{"10.0.0.5", false, "private"},
		{"169.254.169.254", false, "metadata"},
		{"100.100.100.200", false, "CGNAT (cloud metadata)"},
		{"192.0.2.1", false, "documentation"},
		{"::1", false, "IPv6 loopback"},
		{"::", false, "unspecified"},
		{"fe80::1%eth0", false, "link-local with a zone"},
		{"fd00:ec2::254", false, "unique local (EC2 metadata)"},
		{"fec0::1", false, "site-local"},

		{"::127.0.0.1", false, "IPv4-compatible ::/96 (the reported bypass)"},
		{"::10.0.0.1", false, "IPv4-compatible, private"},
		{"::8.8.8.8", false, "IPv4-compatible, even public: deprecated"},
		{"::ffff:127.0.0.1", false, "IPv4-mapped"},
		{"::ffff:8.8.8.8", false, "IPv4-mapped, even public"},
		{"::ffff:0:127.0.0.1", false, "IPv4-translated (SIIT)"},
		{"64:ff9b:1::a00:1", false, "local-use NAT64 64:ff9b:1::/48"},
		{"64:ff9b:1:ffff::808:808", false, "local-use NAT64, any address"},
		{"64:ff9b::127.0.0.1", false, "well-known NAT64 of loopback"},
		{"64:ff9b::10.1.2.3", false, "well-known NAT64 of a private address"},
		{"64:ff9b::169.254.169.254", false, "well-known NAT64 of metadata"},
		{"2002:7f00:1::", false, "6to4 of 127.0.0.1"},
		{"2002:a00:1::1", false, "6to4 of 10.0.0.1"},
		{"2002:a9fe:a9fe::1", false, "6to4 of 169.254.169.254"},
		{"2001:0:4136:e378:8000:63bf:80ff:fffe", false, "Teredo, client 127.0.0.1"},
		{"2001:0:4136:e378:8000:63bf:f5ff:fffe", false, "Teredo, client 10.0.0.1"},
		{"2001:0:a00:1:8000:63bf:f7f7:f7f7", false, "Teredo, server 10.0.0.1"},
		{"fe80::5efe:a00:1", false, "ISATAP (link-local anyway)"},
		{"2606:4700::200:5efe:a00:1", false, "ISATAP interface id of 10.0.0.1"},
		{"2606:4700::5efe:7f00:1", false, "ISATAP interface id of 127.0.0.1"},
		{"2001:db8::1", false, "documentation"},

		{"8.8.8.8", true, "public IPv4"},
		{"93.184.216.34", true, "public IPv4"},
		{"2606:2800:220:1:248:1893:25c8:1946", true, "public IPv6"},
		{"64:ff9b::8.8.8.8", true, "well-known NAT64 of a public address (IPv6-only networks)"},
		{"2002:808:808::1", true, "6to4 of a public address"},
		{"2001:0:4136:e378:8000:63bf:f7f7:f7f7", true, "Teredo, public server and client 8.8.8.8"},
	} {
		err := dialAllowed(net.JoinHostPort(tc.addr, "443"))
		if (err == nil) != tc.allowed {
			t.Errorf("%s (%s): dial allowed = %v, want %v (%v)", tc.addr, tc.why, err == nil, tc.allowed, err)
		}
		if !tc.allowed && err != nil && !strings.Contains(err.Error(), "is not allowed") {
			t.Errorf("%s: error %q is not the refusal callError recognises", tc.addr, err)
		}
	}
	if dialAllowed("not an address") == nil || dialAllowed("example.com:443") == nil {
		t.Error("a non-IP address passed the dial-time check")
	}
	// the embedding helpers agree with the table's readings
	if got := embeddedIPv4(netip.MustParseAddr("2001:0:4136:e378:8000:63bf:80ff:fffe")); len(got) != 2 || got[1].String() != "127.0.0.1" {
		t.Errorf("Teredo client: %v", got)
	}
}

// TestRemoteEmbeddedLoopbackRefused: a creator points the tool at the
// server's own loopback through IPv6 forms of 127.0.0.1; the use is refused
// at dial time (nothing connects: the listener on 127.0.0.1 accepts nothing)
// and refunded.
func TestRemoteEmbeddedLoopbackRefused(t *testing.T) {
	t.Parallel()
	app, tb := newTestBase(t) // private endpoints not allowed
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var accepted atomic.Int64
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			conn.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	for _, host := range []string{"[::127.0.0.1]", "[::ffff:127.0.0.1]", "[64:ff9b::127.0.0.1]", "[2002:7f00:1::]"} {
		t.Run(host, func(t *testing.T) {
			tool := remoteTool(t, app, "https://"+host+":"+strconv.Itoa(port)+"/run", 5)
			res := useRemote(t, tb, app, tool)
			u := c.AsUsage(res.Usage)
			if u.State() != c.StateFailed || !strings.Contains(u.ErrorMessage(), "may not call") {
				t.Errorf("use through %s: %s %q, want FAILED as an address toolbase may not call", host, u.State(), u.ErrorMessage())
			}
			if got := balance(t, app, fx.client.id); got != fixturePoints {
				t.Errorf("balance %d after a refused call", got)
			}
		})
	}
	if n := accepted.Load(); n != 0 {
		t.Errorf("%d connections reached the loopback listener", n)
	}
	mustVerify(t, app)
}

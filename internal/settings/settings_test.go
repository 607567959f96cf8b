package settings

import "testing"

func TestFirstDuplicateIsTheFirstValueSeenTwice(t *testing.T) {
	for _, c := range []struct {
		list []string
		want string
	}{
		{nil, ""},
		{[]string{"a", "b"}, ""},
		{[]string{"a", "b", "b", "a"}, "b"},
		{[]string{"/api/", "/API/"}, ""},
	} {
		if got := FirstDuplicate(c.list); got != c.want {
			t.Errorf("FirstDuplicate(%q) = %q, want %q", c.list, got, c.want)
		}
	}
}

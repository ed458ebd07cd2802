package doccheck

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/closecode"
)

const root = "../.."

// pending lists pages that other branches are writing: a link to one of them may dangle
// until they are merged. Remove each entry once its page exists.
var pending = map[string]bool{
	"docs/client.md": true,
}

// maxReadme is the README's budget: a front page, with everything else in docs/.
const maxReadme = 15 * 1000

func TestReadmeSize(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	assert.LessOrEqual(t, len(b), maxReadme, "README.md is a front page: move the rest to docs/")
}

// TestReadmeCloseCodes checks that README.md shows the close-code table generated from
// internal/closecode, as it is (no markers: the generated text must appear verbatim).
func TestReadmeCloseCodes(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(b), closecode.Summary()),
		"README.md lacks the close-code table of closecode.Summary(); paste this into it:\n%s", closecode.Summary())
}

// pages returns README.md and docs/*.md, as paths relative to the repository root.
func pages(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	require.NoError(t, err)
	out := []string{"README.md"}
	for _, d := range docs {
		rel, err := filepath.Rel(root, d)
		require.NoError(t, err)
		out = append(out, filepath.ToSlash(rel))
	}
	return out
}

func TestRelativeLinks(t *testing.T) {
	anchors := map[string]map[string]bool{} // page -> its heading anchors, read on demand
	anchorsOf := func(page string) map[string]bool {
		if a, ok := anchors[page]; ok {
			return a
		}
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(page)))
		require.NoError(t, err)
		a := headingAnchors(string(b))
		anchors[page] = a
		return a
	}
	for _, page := range pages(t) {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(page)))
		require.NoError(t, err)
		for _, l := range links(string(b)) {
			where := fmt.Sprintf("%s:%d: link %q", page, l.line, l.target)
			target, frag, _ := strings.Cut(l.target, "#")
			dest := page
			if target != "" {
				dest = path.Clean(path.Join(path.Dir(page), target))
				if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(dest))); err != nil {
					if pending[dest] {
						continue
					}
					t.Errorf("%s: no such file %s", where, dest)
					continue
				}
			}
			if frag == "" || !strings.HasSuffix(dest, ".md") {
				continue
			}
			if !anchorsOf(dest)[frag] {
				t.Errorf("%s: %s has no heading with the anchor #%s", where, dest, frag)
			}
		}
	}
	for p := range pending {
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(p))); err == nil {
			t.Logf("%s exists now: remove it from pending", p)
		}
	}
}

type link struct {
	line   int
	target string
}

var (
	inlineLink = regexp.MustCompile(`\]\(([^()\s]+)(?:\s+"[^"]*")?\)`)
	refDef     = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s*(\S+)`)
	codeSpan   = regexp.MustCompile("`+[^`]*`+")
	scheme     = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)
)

// links returns the relative link targets of a Markdown text, outside code blocks and
// code spans: inline links and images, and reference definitions.
func links(md string) []link {
	var out []link
	fence := ""
	for i, ln := range strings.Split(md, "\n") {
		trim := strings.TrimSpace(ln)
		if fence != "" {
			if strings.HasPrefix(trim, fence) {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(trim, "```") || strings.HasPrefix(trim, "~~~") {
			fence = trim[:3]
			continue
		}
		ln = codeSpan.ReplaceAllString(ln, "")
		var targets []string
		for _, m := range inlineLink.FindAllStringSubmatch(ln, -1) {
			targets = append(targets, m[1])
		}
		if m := refDef.FindStringSubmatch(ln); m != nil {
			targets = append(targets, m[1])
		}
		for _, tg := range targets {
			tg = strings.Trim(tg, "<>")
			if scheme.MatchString(tg) {
				continue // http:, https:, mailto:
			}
			out = append(out, link{line: i + 1, target: tg})
		}
	}
	return out
}

var headingLink = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)

// headingAnchors returns the anchors GitHub gives the headings of a Markdown text:
// lower case, punctuation dropped, spaces turned into hyphens, and "-1", "-2", … added
// to repeats.
func headingAnchors(md string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	fence := ""
	for ln := range strings.SplitSeq(md, "\n") {
		trim := strings.TrimSpace(ln)
		if fence != "" {
			if strings.HasPrefix(trim, fence) {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(trim, "```") || strings.HasPrefix(trim, "~~~") {
			fence = trim[:3]
			continue
		}
		if !strings.HasPrefix(ln, "#") {
			continue
		}
		text := strings.TrimSpace(strings.TrimLeft(ln, "#"))
		text = headingLink.ReplaceAllString(text, "$1")
		slug := slugify(text)
		if n := seen[slug]; n > 0 {
			out[fmt.Sprintf("%s-%d", slug, n)] = true
		} else {
			out[slug] = true
		}
		seen[slug]++
	}
	return out
}

func slugify(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestHeadingAnchors(t *testing.T) {
	got := headingAnchors("# wsroute\n## Close codes\n```\n# not a heading\n```\n### Close codes\n## `@csrf` tokens, and [links](x.md)\n## Coming from Total.js, Odac?\n")
	for _, want := range []string{"wsroute", "close-codes", "close-codes-1", "csrf-tokens-and-links", "coming-from-totaljs-odac"} {
		assert.True(t, got[want], "anchor %q in %v", want, got)
	}
	assert.False(t, got["not-a-heading"], "a line in a code block is no heading")
}

func TestLinks(t *testing.T) {
	md := "See [a](docs/a.md#x) and ![img](p.png \"t\"), `[no](code.md)`, [web](https://x.y/z).\n" +
		"```\n[no](fenced.md)\n```\n[ref]: ../up.md\n"
	var got []string
	for _, l := range links(md) {
		got = append(got, fmt.Sprintf("%d:%s", l.line, l.target))
	}
	assert.Equal(t, []string{"1:docs/a.md#x", "1:p.png", "5:../up.md"}, got)
}

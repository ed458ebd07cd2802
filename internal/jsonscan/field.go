package jsonscan

import (
	"encoding/json"
	"unicode/utf8"
)

// Field finds the value of the top-level key name in the JSON object data, without
// decoding. It returns nil when data is not an object or the key is absent. It trusts
// data to be JSON (the @json mode validates every message); on other input it returns
// nil or some slice of data, never panics.
func Field(data []byte, name string) []byte {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil
	}
	i++
	for {
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != '"' {
			return nil // '}' of an object without the key, or not JSON
		}
		end, escaped := scanJSONString(data, i)
		if end < 0 {
			return nil
		}
		var match bool
		if escaped {
			var k string
			match = json.Unmarshal(data[i:end], &k) == nil && k == name
		} else {
			// Invalid UTF-8 decodes to U+FFFD, so a key equal to an invalid name is not it.
			match = string(data[i+1:end-1]) == name && utf8.ValidString(name)
		}
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return nil
		}
		i = skipSpace(data, i+1)
		vend := skipJSONValue(data, i)
		if vend < 0 {
			return nil
		}
		if match {
			return data[i:vend:vend]
		}
		i = skipSpace(data, vend)
		if i >= len(data) || data[i] != ',' {
			return nil
		}
		i++
	}
}

// scanJSONString returns the index just past the string starting at data[i] (a '"'), and
// whether it holds escapes; -1 when it is not terminated.
func scanJSONString(data []byte, i int) (int, bool) {
	escaped := false
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '"':
			return j + 1, escaped
		case '\\':
			escaped = true
			j++
		}
	}
	return -1, false
}

// skipJSONValue returns the index just past the JSON value starting at data[i], or -1.
func skipJSONValue(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}
	switch data[i] {
	case '"':
		end, _ := scanJSONString(data, i)
		return end
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end, _ := scanJSONString(data, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(data) {
		switch data[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			if j == i {
				return -1
			}
			return j
		}
		j++
	}
	if j == i {
		return -1
	}
	return j
}

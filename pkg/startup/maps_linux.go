package startup

// mappingOf returns the bounds of the mapping in a /proc/self/maps listing
// ("lo-hi perms offset dev inode path" per line, addresses in hex) that
// contains addr. It is plain byte scanning because it runs before the
// packages that would parse it more comfortably are initialised.
func mappingOf(maps []byte, addr uintptr) (lo, hi uintptr, ok bool) {
	for len(maps) > 0 {
		line := maps
		if i := indexByte(maps, '\n'); i >= 0 {
			line, maps = maps[:i], maps[i+1:]
		} else {
			maps = nil
		}
		lo, rest, ok1 := parseHex(line)
		if !ok1 || len(rest) == 0 || rest[0] != '-' {
			continue
		}
		hi, _, ok2 := parseHex(rest[1:])
		if ok2 && lo <= addr && addr < hi {
			return lo, hi, true
		}
	}
	return 0, 0, false
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// parseHex reads a lower-case hexadecimal number at the start of b.
func parseHex(b []byte) (v uintptr, rest []byte, ok bool) {
	i := 0
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | uintptr(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | uintptr(c-'a'+10)
		default:
			return v, b[i:], i > 0
		}
		if i >= 16 {
			return 0, b, false
		}
	}
	return v, b[i:], i > 0
}

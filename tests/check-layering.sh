#!/bin/sh
# Layering check (DESIGN.md §2): which project layers and third-party headers
# each layer may include.  One TAP assertion per source file.
top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 99

# Layers each layer may include (besides itself).
allowed() {
	case $1 in
	base)   echo "base" ;;
	model)  echo "base model" ;;
	config) echo "base model config" ;;
	sign)   echo "base model config sign" ;;
	decide) echo "base model config sign decide" ;;
	policy) echo "base model config policy" ;;
	git)    echo "base model config git" ;;
	forge)  echo "base model config forge" ;;
	ui)     echo "base model config policy ui" ;;
	term)   echo "base ui term" ;;
	app)    echo "base model config sign decide policy git forge ui term app" ;;
	esac
}

# Third-party headers and where they may appear (a path prefix).
third_party_ok() {	# $1 = header, $2 = file
	case $1 in
	curses.h|ncurses.h|ncursesw/*|term.h) case $2 in src/term/*) return 0 ;; esac ;;
	curl/*) case $2 in src/forge/http.c) return 0 ;; esac ;;
	jansson.h) case $2 in src/forge/*|src/decide/*|include/gatehouse/forge/*) return 0 ;; esac ;;
	git2.h|git2/*) case $2 in src/git/*|src/config/*) return 0 ;; esac ;;
	openssl/*) case $2 in src/sign/*|src/decide/*) return 0 ;; esac ;;
	*) return 0 ;;
	esac
	return 1
}

files=$(find src include -name '*.[ch]' | sort)
n=$(echo "$files" | wc -l)
echo "1..$n"
i=0
fail=0
for f in $files; do
	i=$((i + 1))
	layer=$(echo "$f" | sed -E 's#^(src|include/gatehouse)/([^/]+)/.*#\2#')
	ok_layers=$(allowed "$layer")
	bad=""
	for inc in $(sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^>"]+)[>"].*/\1/p' "$f"); do
		case $inc in
		gatehouse/forge/*)
			# forge/'s other headers carry json_t and the backends' insides:
			# above forge/, only the interface may be seen.
			case $layer:$inc in
			forge:*|app:gatehouse/forge/forge.h) ;;
			*) bad="$bad $inc" ;;
			esac
			;;
		gatehouse/*)
			dep=$(echo "$inc" | cut -d/ -f2)
			case " $ok_layers " in *" $dep "*) ;; *) bad="$bad $inc" ;; esac
			;;
		*)
			third_party_ok "$inc" "$f" || bad="$bad $inc"
			;;
		esac
	done
	if [ -z "$bad" ]; then
		echo "ok $i - $f keeps to its layer"
	else
		echo "not ok $i - $f ($layer) includes:$bad"
		fail=1
	fi
done
exit $fail

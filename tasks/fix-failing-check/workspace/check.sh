#!/usr/bin/env bash
# Pre-publish checks for the site source. Run from the source root: ./check.sh
# Exit code 0 means every page passed; each problem is printed as FAIL: ...
set -u
cd "$(dirname "$0")"
fail=0
err() { echo "FAIL: $*"; fail=1; }

pages=$(find . -name '*.html' -not -path './.git/*' | sed 's|^\./||' | sort)
for p in $pages; do
  # 1. exactly one non-empty <title>
  n=$(grep -o '<title>[^<][^<]*</title>' "$p" | wc -l)
  [ "$n" -eq 1 ] || err "$p: expected one non-empty <title>, found $n"
  # 2. <main> opened once and closed once
  o=$(grep -o '<main[ >]' "$p" | wc -l)
  c=$(grep -o '</main>' "$p" | wc -l)
  { [ "$o" -eq 1 ] && [ "$c" -eq 1 ]; } || err "$p: <main> opened $o time(s), closed $c time(s)"
  # 3. every <time datetime="..."> is a real calendar date (YYYY-MM-DD)
  for d in $(grep -o 'datetime="[^"]*"' "$p" | cut -d'"' -f2); do
    if ! [[ "$d" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || [ "$(date -u -d "$d" +%F 2>/dev/null)" != "$d" ]; then
      err "$p: invalid date $d"
    fi
  done
  # 4. listed in the sitemap
  grep -qF "<loc>https://kestrel-lab.test/$p</loc>" sitemap.xml || err "$p: not listed in sitemap.xml"
done
# 5. every sitemap entry exists
for loc in $(grep -o '<loc>[^<]*</loc>' sitemap.xml | sed 's|<loc>https://kestrel-lab.test/||; s|</loc>||'); do
  [ -f "$loc" ] || err "sitemap.xml lists $loc, which does not exist"
done
if [ "$fail" -ne 0 ]; then
  echo "check.sh: failed"
  exit 1
fi
echo "OK: $(echo "$pages" | wc -l) pages checked"

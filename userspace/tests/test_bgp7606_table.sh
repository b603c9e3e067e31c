#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tests/bgp7606/cases.txt (what test_bgp7606 reads) is what
# selftests/helpers/bgp_craft.py makes of selftests/bgp7606.table now: an
# edit of the table, or of the tool's encoder, without a regenerated file
# fails here. Run from userspace/ (make test). Regenerate with
#   python3 ../selftests/helpers/bgp_craft.py \
#	--table ../selftests/bgp7606.table --emit-hex tests/bgp7606/cases.txt
tool=../selftests/helpers/bgp_craft.py
table=../selftests/bgp7606.table
echo "1..2"
if ! python3 -c 'import tomllib' 2>/dev/null; then
	echo "ok 1 # SKIP no python3 with tomllib (3.11)"
	echo "ok 2 # SKIP no python3 with tomllib (3.11)"
	exit 0
fi
out=$(python3 "$tool" --table "$table" --emit-hex - 2>&1)
rc=$?
if [ $rc = 0 ]; then
	echo "ok 1 - bgp_craft.py encodes every case of the table"
else
	echo "not ok 1 - bgp_craft.py encodes every case of the table"
	printf '%s\n' "$out" | sed 's/^/#   /' | head -5
fi
if [ $rc = 0 ] && printf '%s\n' "$out" | cmp -s - tests/bgp7606/cases.txt; then
	echo "ok 2 - tests/bgp7606/cases.txt is up to date"
else
	echo "not ok 2 - tests/bgp7606/cases.txt is up to date (regenerate: see tests/test_bgp7606_table.sh)"
	exit 1
fi

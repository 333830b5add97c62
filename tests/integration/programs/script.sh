#!/usr/bin/env bash
# Deterministic bash workload for the real-program tests: loops, indexed and
# associative arrays, string operations, command substitution, subshells,
# pipelines, here-documents and functions.  Many of these fork and exec, so
# every child process runs under the preloaded library too.
set -u
scale=${1:-1}

# string building and parameter expansion
s=""
for ((i = 0; i < 3000 * scale; i++)); do
    s+="${i}:"
done
echo "len ${#s} head ${s:0:20} tail ${s: -12}"
t=${s//:/,}
u=${t^^}
echo "replace ${t:0:15} count $(tr -cd ',' <<<"$t" | wc -c) upper-same $([[ $u == "$t" ]] && echo yes)"
name="debugmalloc-integration-test.tar.gz"
echo "expand ${name%%.*} ${name#*.} ${name%.gz} ${name/integration/INT} ${#name}"

# indexed arrays: fill, slice, delete, sort through a pipeline
declare -a arr=()
for ((i = 0; i < 2000 * scale; i++)); do
    arr+=($(( (i * 7919) % 1009 )))
done
unset 'arr[5]' 'arr[10]'
echo "array ${#arr[@]} slice ${arr[*]:0:5}"
sorted=$(printf '%s\n' "${arr[@]}" | sort -n | uniq | head -n 5 | tr '\n' ' ')
echo "sorted $sorted"

# associative arrays: word counts
declare -A count=()
words="alpha beta gamma delta alpha beta alpha epsilon zeta gamma alpha"
for ((r = 0; r < 200 * scale; r++)); do
    for w in $words; do
        count[$w]=$(( ${count[$w]:-0} + 1 ))
        count["$w-$((r % 50))"]=1
    done
done
echo "assoc ${#count[@]} alpha=${count[alpha]} zeta=${count[zeta]}"
for k in $(printf '%s\n' "${!count[@]}" | grep -v -- - | sort); do
    printf '%s=%d ' "$k" "${count[$k]}"
done
echo

# functions, recursion, local variables, return values through stdout
fib() { local n=$1; if ((n < 2)); then echo "$n"; else echo $(( $(fib $((n - 1))) + $(fib $((n - 2))) )); fi; }
echo "fib $(fib 9)"
join_by() { local IFS="$1"; shift; echo "$*"; }
echo "join $(join_by , a b c d)"

# subshells, command substitution nesting, pipelines, process substitution
total=0
for i in $(seq 1 40); do
    v=$(( $( (echo $((i * i)); echo $((i + 1))) | paste -sd+ ) ))
    total=$((total + v))
done
echo "subshells $total"
lines=$(seq 1 5000 | awk '{ s += $1 } END { print s }')
echo "pipeline $lines $(seq 1 3000 | grep -c 7) $(seq 1 1000 | sed -n 's/^\(.\)\1$/&/p' | wc -l)"
diffcount=$(diff <(seq 1 100) <(seq 1 100 | sed 's/^50$/fifty/') | grep -c '^[<>]')
echo "procsubst $diffcount"

# here-documents and read loops
n=0
sum=0
while IFS=: read -r key val; do
    n=$((n + 1))
    sum=$((sum + val))
done <<EOT
one:1
two:2
three:3
$(for i in $(seq 4 200); do echo "k$i:$i"; done)
EOT
echo "heredoc $n $sum"

# background jobs and wait
for i in 1 2 3 4; do
    (sleep 0.0$i; echo "job $i") > "${TMPDIR:-/tmp}/dm_bash_job_$$_$i" &
done
wait
cat "${TMPDIR:-/tmp}"/dm_bash_job_$$_* && rm -f "${TMPDIR:-/tmp}"/dm_bash_job_$$_*
echo done

# The Perl workload: hashes, arrays, regular expressions, a closure.
use strict;
use warnings;

my %words;
my @lines = map { "line $_: alpha=$_ beta=" . ($_ * 2) . " gamma" } 1 .. 300;
for my $line (@lines) {
    while ($line =~ /(\w+)=(\d+)/g) {
        push @{ $words{$1} }, $2;
    }
}
my @sorted = sort { $a <=> $b } map { @$_ } values %words;
my %nested = map { ($_ => { square => $_ * $_, list => [ 1 .. ($_ % 5) ] }) } 1 .. 100;
my $counter = do { my $n = 0; sub { return ++$n } };
$counter->() for 1 .. 10;
(my $joined = join(",", @sorted[0 .. 9])) =~ s/,/;/g;
printf "%d keys, %d numbers, %d nested, counter %d, %s\n",
    scalar(keys %words), scalar(@sorted), scalar(keys %nested), $counter->(), $joined;

-- The sqlite3 CLI workload: a table, an index, a join, a view, an update.
create table people (id integer primary key, name text not null, team integer);
create table teams (id integer primary key, title text);
insert into teams (title) values ('red'), ('green'), ('blue');
with recursive n(i) as (select 1 union all select i + 1 from n where i < 500)
insert into people (name, team) select 'person ' || i, 1 + i % 3 from n;
create index people_team on people (team);
create view roster as select t.title, count(*) as members from people p join teams t on p.team = t.id group by t.title;
update people set name = upper(name) where id % 7 = 0;
select * from roster order by title;
select count(*) from people where name like 'PERSON%';

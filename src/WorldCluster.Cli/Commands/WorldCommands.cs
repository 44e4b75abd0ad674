using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using WorldCluster.Client;
using WorldCluster.Contracts;

namespace WorldCluster.Cli.Commands;

/// <summary>The verbs that map one-to-one onto the HTTP API: models, create, list, get, step, fork, delete.</summary>
internal static class WorldCommands
{
    private static readonly JsonSerializerOptions PrintJson = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Builds the verbs.</summary>
    public static IEnumerable<Command> Create(IAnsiConsole console) =>
    [
        Models(console),
        CreateWorld(console),
        List(console),
        Get(console),
        Step(console),
        Fork(console),
        Delete(console),
    ];

    private static Command Models(IAnsiConsole console)
    {
        var (url, json, token) = (CliOptions.Url(), CliOptions.Json(), CliOptions.Token());
        var command = new Command("models", "List the models the cluster serves") { url, json, token };
        CliOptions.SetAction(command, async (parse, ct) =>
        {
            using var http = CliOptions.CreateHttp(parse.GetValue(url)!);
            var models = await new WorldClusterClient(http, parse.GetValue(token)).GetModelsAsync(ct);
            if (parse.GetValue(json))
            {
                return PrintAsJson(console, models);
            }
            var table = new Table().AddColumns("model", "version", "max players", "observation", "actions");
            foreach (var m in models)
            {
                table.AddRow(Cells(m.Name, m.Version, Number(m.MaxPlayers), string.Join('x', m.ObservationShape),
                    string.Join(", ", m.ActionSpace.Actions.Select((name, i) => $"{i} {name}"))));
            }
            console.Write(table);
            return 0;
        });
        return command;
    }

    private static Command CreateWorld(IAnsiConsole console)
    {
        var (url, json, token) = (CliOptions.Url(), CliOptions.Json(), CliOptions.Token());
        var model = new Argument<string>("model") { Description = "The model to run (see `worldcluster models`)" };
        var seed = new Option<long?>("--seed") { Description = "World seed; a random one when absent" };
        var players = new Option<int?>("--players") { Description = "Player slots; the model's maximum when absent" };
        var hz = new Option<int?>("--hz") { Description = "Tick in real time at this rate (1-60) while a player is present; on-demand when absent" };
        var quiet = Quiet();
        var command = new Command("create", "Create a world") { model, seed, players, hz, quiet, url, json, token };
        CliOptions.SetAction(command, async (parse, ct) =>
        {
            using var http = CliOptions.CreateHttp(parse.GetValue(url)!);
            var world = await new WorldClusterClient(http, parse.GetValue(token)).CreateWorldAsync(
                parse.GetValue(model)!, parse.GetValue(seed), parse.GetValue(players), parse.GetValue(hz), ct);
            return PrintWorld(console, world, parse.GetValue(json), parse.GetValue(quiet));
        });
        return command;
    }

    private static Command List(IAnsiConsole console)
    {
        var (url, json, token) = (CliOptions.Url(), CliOptions.Json(), CliOptions.Token());
        var limit = new Option<int?>("--limit") { Description = "Print one page of at most this many ids (1-1000) and the cursor of the next; all pages when absent" };
        var after = new Option<string?>("--after") { Description = "Start after this cursor (the 'next' of the previous page)" };
        var command = new Command("list", "List the ids of the stored worlds, in order") { limit, after, url, json, token };
        CliOptions.SetAction(command, async (parse, ct) =>
        {
            using var http = CliOptions.CreateHttp(parse.GetValue(url)!);
            var client = new WorldClusterClient(http, parse.GetValue(token));
            WorldPage page;
            if (parse.GetValue(limit) is null && parse.GetValue(after) is null)
            {
                page = new WorldPage(await client.ListWorldsAsync(ct), null);
            }
            else
            {
                page = await client.ListWorldsPageAsync(parse.GetValue(limit), parse.GetValue(after), ct);
            }
            if (parse.GetValue(json))
            {
                return PrintAsJson(console, new { worlds = page.Worlds, next = page.Next });
            }
            foreach (var id in page.Worlds)
            {
                console.Profile.Out.Writer.WriteLine(id);
            }
            if (page.Next is not null)
            {
                // The cursor goes to stderr so that stdout stays a plain list of ids for scripts.
                await parse.InvocationConfiguration.Error.WriteLineAsync($"more: worldcluster list --limit {parse.GetValue(limit)} --after {page.Next}");
            }
            return 0;
        });
        return command;
    }

    private static Command Get(IAnsiConsole console)
    {
        var (url, json, id, token) = (CliOptions.Url(), CliOptions.Json(), WorldId(), CliOptions.Token());
        var command = new Command("get", "Show a world: tick, digest, durable tick, players, tick rate") { id, url, json, token };
        CliOptions.SetAction(command, async (parse, ct) =>
        {
            using var http = CliOptions.CreateHttp(parse.GetValue(url)!);
            var world = await new WorldClusterClient(http, parse.GetValue(token)).GetWorldAsync(parse.GetValue(id)!, ct);
            return PrintWorld(console, world, parse.GetValue(json));
        });
        return command;
    }

    private static Command Step(IAnsiConsole console)
    {
        var (url, json, id, token) = (CliOptions.Url(), CliOptions.Json(), WorldId(), CliOptions.Token());
        var actions = new Argument<int[]>("actions")
        {
            Description = "One action per player slot, in slot order",
            Arity = ArgumentArity.OneOrMore,
        };
        var count = new Option<int>("--count") { Description = "Step this many times with the same actions", DefaultValueFactory = _ => 1 };
        count.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--count must be at least 1");
            }
        });
        var command = new Command("step", "Step an on-demand world, one tick per step (answers once the tick is durable)") { id, actions, count, url, json, token };
        CliOptions.SetAction(command, async (parse, ct) =>
        {
            using var http = CliOptions.CreateHttp(parse.GetValue(url)!);
            var client = new WorldClusterClient(http, parse.GetValue(token));
            StepResult? result = null;
            for (var i = 0; i < parse.GetValue(count); i++)
            {
                result = await client.StepAsync(parse.GetValue(id)!, parse.GetValue(actions)!, ct);
            }
            if (parse.GetValue(json))
            {
                return PrintAsJson(console, result);
            }
            console.Write(KeyValues(("tick", Number(result!.Tick)), ("state digest", result.StateDigest), ("durable tick", Number(result.DurableTick))));
            return 0;
        });
        return command;
    }

    private static Command Fork(IAnsiConsole console)
    {
        var (url, json, id, token) = (CliOptions.Url(), CliOptions.Json(), WorldId(), CliOptions.Token());
        var atTick = new Option<long?>("--at-tick") { Description = "The durable tick to fork at; the latest when absent" };
        var quiet = Quiet();
        var command = new Command("fork", "Fork a world at a tick into a new world with the same state") { id, atTick, quiet, url, json, token };
        CliOptions.SetAction(command, async (parse, ct) =>
        {
            using var http = CliOptions.CreateHttp(parse.GetValue(url)!);
            var world = await new WorldClusterClient(http, parse.GetValue(token)).ForkAsync(parse.GetValue(id)!, parse.GetValue(atTick), ct);
            return PrintWorld(console, world, parse.GetValue(json), parse.GetValue(quiet));
        });
        return command;
    }

    private static Command Delete(IAnsiConsole console)
    {
        var (url, id, token) = (CliOptions.Url(), WorldId(), CliOptions.Token());
        var command = new Command("delete", "Delete a world (its head and journal; snapshots shared with forks stay)") { id, url, token };
        CliOptions.SetAction(command, async (parse, ct) =>
        {
            using var http = CliOptions.CreateHttp(parse.GetValue(url)!);
            await new WorldClusterClient(http, parse.GetValue(token)).DeleteAsync(parse.GetValue(id)!, ct);
            console.Profile.Out.Writer.WriteLine($"deleted {parse.GetValue(id)}");
            return 0;
        });
        return command;
    }

    private static Argument<string> WorldId() => new("id") { Description = "The world id (w-…)" };

    private static Option<bool> Quiet() => new("--quiet", "-q") { Description = "Print only the new world's id (for scripts: id=$(worldcluster create … -q))" };

    private static int PrintWorld(IAnsiConsole console, WorldInfo world, bool json, bool quiet = false)
    {
        if (quiet)
        {
            console.Profile.Out.Writer.WriteLine(world.Id);
            return 0;
        }
        if (json)
        {
            return PrintAsJson(console, world);
        }
        console.Write(KeyValues(
            ("id", world.Id),
            ("model", $"{world.Model} {world.ModelVersion}"),
            ("tick", Number(world.Tick)),
            ("durable tick", Number(world.DurableTick)),
            ("players", Number(world.Players)),
            ("tick rate", world.TickHz > 0 ? $"{world.TickHz} Hz ({(world.Ticking ? "ticking" : "paused: no player")})" : "on demand"),
            ("state digest", world.StateDigest),
            ("forked from", world.ForkedFrom is { } f ? $"{f.WorldId} at tick {Number(f.Tick)}" : "-")));
        return 0;
    }

    private static int PrintAsJson<T>(IAnsiConsole console, T value)
    {
        // Straight to the writer: Spectre would wrap long lines at the console width.
        console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(value, PrintJson));
        return 0;
    }

    private static Grid KeyValues(params (string Key, string Value)[] rows)
    {
        var grid = new Grid().AddColumn().AddColumn();
        foreach (var (key, value) in rows)
        {
            grid.AddRow(new Text(key, new Style(decoration: Decoration.Bold)), new Text(value));
        }
        return grid;
    }

    private static Spectre.Console.Rendering.IRenderable[] Cells(params string[] values) => [.. values.Select(v => new Text(v))];

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}

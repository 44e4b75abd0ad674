using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WorldCluster.Runtime.Durability;

namespace WorldCluster.Runtime.Tests.Durability;

/// <summary>Reads snapshot files the way other tools would, by the published rules only (docs/storage.md), not with our decoder.</summary>
public sealed class SafetensorsCompatibilityTests : IDisposable
{
    private static readonly Dictionary<string, int> ElementSizes = new() { ["U8"] = 1, ["I32"] = 4, ["I64"] = 8, ["F32"] = 4 };

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"wc-snapshot-{Guid.NewGuid():N}.safetensors");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void The_file_follows_the_safetensors_rules_and_its_checksum_follows_the_documented_definition()
    {
        var snapshot = SnapshotSamples.Create();
        File.WriteAllBytes(_path, WorldSnapshotFormat.Encode(snapshot));
        var file = File.ReadAllBytes(_path);

        var n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.Equal(0UL, n % 8);
        Assert.True(8 + n <= (ulong)file.Length);
        var headerText = Encoding.UTF8.GetString(file, 8, (int)n);
        Assert.StartsWith("{", headerText, StringComparison.Ordinal);
        Assert.Equal(headerText.TrimEnd(' ').Length, headerText.TrimEnd().Length);
        using var header = JsonDocument.Parse(headerText);
        var data = file.AsSpan(8 + (int)n);

        var metadata = header.RootElement.GetProperty("__metadata__").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var tensors = header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__")
            .Select(p => (
                Name: p.Name,
                DType: p.Value.GetProperty("dtype").GetString()!,
                Shape: p.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(),
                Begin: p.Value.GetProperty("data_offsets")[0].GetInt64(),
                End: p.Value.GetProperty("data_offsets")[1].GetInt64()))
            .ToList();

        // safetensors: tensors sorted by offsets tile the data section exactly, sizes match, and (by our layout) are aligned.
        long position = 0;
        foreach (var t in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            Assert.Equal(position, t.Begin);
            Assert.Equal(t.Shape.Aggregate(1L, (a, b) => a * b) * ElementSizes[t.DType], t.End - t.Begin);
            Assert.Equal(0, (8 + (long)n + t.Begin) % ElementSizes[t.DType]);
            position = t.End;
        }
        Assert.Equal(data.Length, position);

        Assert.Equal("worldcluster.snapshot", metadata["format"]);
        Assert.Equal("1", metadata["formatVersion"]);
        Assert.Equal(snapshot.Model, metadata["model"]);
        Assert.Equal(snapshot.ModelVersion, metadata["modelVersion"]);
        Assert.Equal("-987654321012345", metadata["seed"]);
        Assert.Equal("3", metadata["players"]);
        Assert.Equal("1234", metadata["tick"]);
        Assert.Equal("latent,rng,context,flags", metadata["stateOrder"]);
        // Snapshots are shared by forks: nothing in them may name a world or a moment of creation.
        Assert.Equal(["format", "formatVersion", "model", "modelVersion", "players", "seed", "sha256", "stateOrder", "tick"], metadata.Keys.Order(StringComparer.Ordinal));

        var frame = tensors.Single(t => t.Name == "frame");
        Assert.Equal("U8", frame.DType);
        Assert.Equal([3L, 4, 5], frame.Shape);
        Assert.Equal(snapshot.Frame, data[(int)frame.Begin..(int)frame.End].ToArray());
        var latent = tensors.Single(t => t.Name == "state.latent");
        Assert.Equal(snapshot.State.Tensors[0].Data, data[(int)latent.Begin..(int)latent.End].ToArray());

        Assert.Equal(metadata["sha256"], DocumentedChecksum(metadata, tensors, data));
    }

    [Fact]
    public void A_python_reader_opens_the_file_and_checks_its_checksum()
    {
        // build/install-deps.sh installs Debian's python3; a machine without it fails here rather than passing unchecked.
        Assert.True(Python("-c \"import json, hashlib, struct\"", out var probe), $"python3 is needed (build/install-deps.sh installs it): {probe}");
        var snapshot = SnapshotSamples.Create();
        File.WriteAllBytes(_path, WorldSnapshotFormat.Encode(snapshot));
        var script = Path.ChangeExtension(_path, ".py");
        try
        {
            File.WriteAllText(script, PythonCheck);
            Assert.True(Python($"\"{script}\" \"{_path}\"", out var output), output);
            Assert.Contains("checksum ok", output, StringComparison.Ordinal);
            Assert.Contains($"frame sum {snapshot.Frame.Sum(b => b)}", output, StringComparison.Ordinal);
            if (output.Contains("safetensors ok", StringComparison.Ordinal))
            {
                Assert.Contains($"safetensors frame sum {snapshot.Frame.Sum(b => b)}", output, StringComparison.Ordinal);
                Assert.Contains("safetensors metadata tick 1234", output, StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(script);
        }
    }

    // The checksum as docs/storage.md defines it, written from the text, not from WorldSnapshotDigest.
    private static string DocumentedChecksum(
        Dictionary<string, string> metadata, List<(string Name, string DType, long[] Shape, long Begin, long End)> tensors, ReadOnlySpan<byte> data)
    {
        var canonical = new List<byte>();
        void U64(long value)
        {
            var bytes = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)value);
            canonical.AddRange(bytes);
        }
        void Str(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            U64(bytes.Length);
            canonical.AddRange(bytes);
        }
        var entries = metadata.Where(e => e.Key != "sha256").OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        U64(entries.Count);
        foreach (var (key, value) in entries)
        {
            Str(key);
            Str(value);
        }
        U64(tensors.Count);
        foreach (var t in tensors.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            Str(t.Name);
            Str(t.DType);
            U64(t.Shape.Length);
            foreach (var dim in t.Shape)
            {
                U64(dim);
            }
            U64(t.Begin);
            U64(t.End);
        }
        canonical.AddRange(data.ToArray());
        return Convert.ToHexStringLower(SHA256.HashData(canonical.ToArray()));
    }

    private static bool Python(string arguments, out string output)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("python3", arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill();
                output = "python timed out";
                return false;
            }
            output = stdout.Result + stderr.Result;
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            output = e.Message;
            return false;
        }
    }

    // The standard library check is the one in docs/storage.md; the safetensors part runs where that package is installed.
    private const string PythonCheck = """
        import hashlib, json, struct, sys

        def snapshot_checksum(path):
            with open(path, "rb") as f:
                raw = f.read()
            (n,) = struct.unpack("<Q", raw[:8])
            header = json.loads(raw[8:8 + n])
            data = raw[8 + n:]
            meta = header.pop("__metadata__")

            def u64(v): return struct.pack("<Q", v)
            def s(v): b = v.encode("utf-8"); return u64(len(b)) + b

            out = bytearray()
            entries = sorted((k.encode("utf-8"), v) for k, v in meta.items() if k != "sha256")
            out += u64(len(entries))
            for k, v in entries:
                out += u64(len(k)) + k + s(v)
            names = sorted(header, key=lambda k: k.encode("utf-8"))
            out += u64(len(names))
            for name in names:
                t = header[name]
                out += s(name) + s(t["dtype"]) + u64(len(t["shape"]))
                for d in t["shape"]:
                    out += u64(d)
                out += u64(t["data_offsets"][0]) + u64(t["data_offsets"][1])
            out += data
            return hashlib.sha256(out).hexdigest() == meta["sha256"], header, data

        ok, header, data = snapshot_checksum(sys.argv[1])
        print("checksum ok" if ok else "checksum BAD")
        begin, end = header["frame"]["data_offsets"]
        print("frame sum", sum(data[begin:end]))

        try:
            from safetensors import safe_open
            import numpy
        except ImportError:
            sys.exit(0 if ok else 1)
        with safe_open(sys.argv[1], framework="numpy") as f:
            print("safetensors frame sum", int(f.get_tensor("frame").astype(numpy.int64).sum()))
            print("safetensors metadata tick", f.metadata()["tick"])
            print("safetensors ok")
        sys.exit(0 if ok else 1)
        """;
}

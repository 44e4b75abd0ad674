using Microsoft.ML.OnnxRuntime;

namespace WorldCluster.Models.Onnx;

/// <summary>
/// How a silo runs <c>onnx</c> packages (section <c>WorldCluster:Models:Onnx</c>; docs/model-packages.md). The
/// defaults are the ones the batch-invariance table in docs/model-packages.md was measured with.
/// </summary>
public sealed class OnnxRuntimeSettings
{
    /// <summary>The CPU execution provider (every build).</summary>
    public const string Cpu = "cpu";

    /// <summary>The CUDA execution provider (a build with <c>-p:OnnxRuntimeGpu=true</c>, on a machine with CUDA).</summary>
    public const string Cuda = "cuda";

    /// <summary><c>cpu</c> or <c>cuda</c>.</summary>
    public string ExecutionProvider { get; set; } = Cpu;

    /// <summary>The CUDA device ordinal (with <c>cuda</c>).</summary>
    public int DeviceId { get; set; }

    /// <summary>Threads one graph run may use; fixed, because the thread count is part of the numeric path (0: ONNX Runtime's default, one per core).</summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary><c>all</c> (ONNX Runtime's default), <c>extended</c>, <c>basic</c> or <c>none</c>.</summary>
    public string GraphOptimization { get; set; } = "all";

    /// <summary>Builds the session options; throws <see cref="ArgumentException"/> naming the setting that is wrong or not available in this build.</summary>
    public SessionOptions CreateSessionOptions()
    {
        var level = GraphOptimization switch
        {
            "all" => GraphOptimizationLevel.ORT_ENABLE_ALL,
            "extended" => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
            "basic" => GraphOptimizationLevel.ORT_ENABLE_BASIC,
            "none" => GraphOptimizationLevel.ORT_DISABLE_ALL,
            _ => throw new ArgumentException($"WorldCluster:Models:Onnx:GraphOptimization is '{GraphOptimization}'; use all, extended, basic or none"),
        };
        if (IntraOpThreads < 0)
        {
            throw new ArgumentException($"WorldCluster:Models:Onnx:IntraOpThreads is {IntraOpThreads}; use 0 (one per core) or more");
        }
        var options = new SessionOptions
        {
            GraphOptimizationLevel = level,
            IntraOpNumThreads = IntraOpThreads,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        try
        {
            switch (ExecutionProvider)
            {
                case Cpu:
                    break;
                case Cuda:
                    options.AppendExecutionProvider_CUDA(DeviceId);
                    break;
                default:
                    throw new ArgumentException($"WorldCluster:Models:Onnx:ExecutionProvider is '{ExecutionProvider}'; use {Cpu} or {Cuda}");
            }
        }
        catch (OnnxRuntimeException e)
        {
            options.Dispose();
            throw new ArgumentException(
                $"WorldCluster:Models:Onnx:ExecutionProvider '{ExecutionProvider}' is not available here (this build has {string.Join(", ", OrtEnv.Instance().GetAvailableProviders())}; "
                + $"the CUDA provider needs a build with -p:OnnxRuntimeGpu=true and CUDA on the machine): {e.Message}", e);
        }
        catch
        {
            options.Dispose();
            throw;
        }
        return options;
    }
}

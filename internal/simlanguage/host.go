// Package simlanguage is a stand-in for pulumi-language-go, for runs against
// the simulated account only: it builds the Go program of the project with
// `go build` and runs it with the environment the engine gives a program, as
// the real Go language host does. It installs nothing and reports no plugins
// in advance: the engine finds the stand-in providers on PATH.
package simlanguage

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Notice is what the host says of itself.
const Notice = "STAND-IN: Go language host of ohmycoins (internal/simlanguage), for the simulated account"

// Host is the language runtime server.
type Host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	// Engine is the engine's address, the host's argument.
	Engine string
	// Version is the version the host reports.
	Version string
}

// Register adds the host to a gRPC server.
func (h *Host) Register(s *grpc.Server) error {
	pulumirpc.RegisterLanguageRuntimeServer(s, h)
	return nil
}

// Handshake accepts the engine's handshake.
func (h *Host) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.Engine = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GetRequiredPlugins reports none in advance.
func (h *Host) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

// GetRequiredPackages reports none in advance.
func (h *Host) GetRequiredPackages(context.Context, *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

// GetPluginInfo reports the host's version.
func (h *Host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: h.Version}, nil
}

// InstallDependencies has nothing to install: the Go module cache serves the program.
func (h *Host) InstallDependencies(*pulumirpc.InstallDependenciesRequest, grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse]) error {
	return nil
}

// RuntimeOptionsPrompts asks nothing.
func (h *Host) RuntimeOptionsPrompts(context.Context, *pulumirpc.RuntimeOptionsRequest) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

// GetProgramDependencies reports none.
func (h *Host) GetProgramDependencies(context.Context, *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

// About says what the host is.
func (h *Host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	return &pulumirpc.AboutResponse{Executable: "go", Version: h.Version, Metadata: map[string]string{"standIn": Notice}}, nil
}

// Run builds the program in its directory (or takes the prebuilt binary the
// project names) and runs it against the engine's resource monitor.
func (h *Host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetPwd()
	}
	program, cleanup, err := h.program(ctx, dir, req.GetInfo().GetOptions().AsMap())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	defer cleanup()
	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys, err := json.Marshal(req.GetConfigSecretKeys())
	if err != nil {
		return nil, err
	}
	run := exec.CommandContext(ctx, program, req.GetArgs()...)
	run.Dir = req.GetPwd()
	run.Stdout, run.Stderr = os.Stdout, os.Stderr
	run.Env = append(os.Environ(),
		"PULUMI_MONITOR="+req.GetMonitorAddress(),
		"PULUMI_ENGINE="+h.Engine,
		"PULUMI_PROJECT="+req.GetProject(),
		"PULUMI_STACK="+req.GetStack(),
		"PULUMI_ORGANIZATION="+req.GetOrganization(),
		"PULUMI_ROOT_DIRECTORY="+req.GetInfo().GetRootDirectory(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys),
		"PULUMI_DRY_RUN="+strconv.FormatBool(req.GetDryRun()),
		"PULUMI_PARALLEL="+strconv.Itoa(int(req.GetParallel())),
	)
	if err := run.Run(); err != nil {
		if exit, ok := err.(*exec.ExitError); ok && exit.ExitCode() == 32 {
			return &pulumirpc.RunResponse{Bail: true}, nil // the program reported its error to the engine already
		}
		return &pulumirpc.RunResponse{Error: strings.TrimSpace(fmt.Sprintf("the program failed: %v", err))}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// program is the executable to run: the runtime option "binary" when the
// project gives one (relative to the program's directory, as
// pulumi-language-go reads it), or else the program built with go build
// into a temporary directory that cleanup removes.
func (h *Host) program(ctx context.Context, dir string, options map[string]any) (program string, cleanup func(), err error) {
	if binary, ok := options["binary"].(string); ok && binary != "" {
		if !filepath.IsAbs(binary) {
			binary = filepath.Join(dir, binary)
		}
		if _, err := os.Stat(binary); err != nil {
			return "", nil, fmt.Errorf("the runtime option binary: %w", err)
		}
		return binary, func() {}, nil
	}
	bin, err := os.MkdirTemp("", "ohmycoins-program-")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.RemoveAll(bin) }
	program = filepath.Join(bin, "program")
	build := exec.CommandContext(ctx, "go", "build", "-o", program, ".")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("go build of %s: %v\n%s", dir, err, out)
	}
	return program, cleanup, nil
}

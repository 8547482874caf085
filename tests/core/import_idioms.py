"""Hand-written models in the idioms real code uses, for the importer's round-trip tests (FILE.py:NAME).

Each one is small, but written the way the library or tutorial it stands for writes it: torchvision
RegNet's ``block1-0`` names, the EfficientNet package's ``_conv_stem``, names that are Python keywords or
very long, the DCGAN tutorial, the U-Net everyone copies (``F.pad`` from sizes), a squeeze-excitation
net, timm's ``BatchNormAct2d`` (a BatchNorm subclass with its own forward).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


# ----- names ---------------------------------------------------------------------------------------
class XBlock(nn.Module):
    """torchvision RegNet's ResBottleneckBlock, reduced: proj shortcut, f.a/f.b/f.c transform."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.proj = None
        if cin != cout or stride != 1:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        self.f = nn.Sequential()
        self.f.add_module("a", nn.Sequential(nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()))
        self.f.add_module("b", nn.Sequential(nn.Conv2d(cout, cout, 3, stride, 1, groups=2, bias=False), nn.BatchNorm2d(cout), nn.ReLU()))
        self.f.add_module("c", nn.Sequential(nn.Conv2d(cout, cout, 1, bias=False), nn.BatchNorm2d(cout)))
        self.activation = nn.ReLU(inplace=True)

    def forward(self, x):
        shortcut = x if self.proj is None else self.proj(x)
        return self.activation(shortcut + self.f(x))


class AnyStage(nn.Sequential):
    def __init__(self, cin: int, cout: int, depth: int, stage: int) -> None:
        super().__init__()
        for i in range(depth):
            self.add_module(f"block{stage}-{i}", XBlock(cin if i == 0 else cout, cout, 2 if i == 0 else 1))


class RegNetStyle(nn.Module):
    """torchvision's RegNet layout: stem, trunk_output.block1.block1-0..., avgpool, fc."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU(inplace=True))
        stages = [(f"block{i + 1}", AnyStage(cin, cout, depth, i + 1)) for i, (cin, cout, depth) in enumerate([(8, 8, 1), (8, 16, 2)])]
        self.trunk_output = nn.Sequential()
        for name, stage in stages:
            self.trunk_output.add_module(name, stage)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.trunk_output(self.stem(x))
        x = self.avgpool(x)
        x = x.flatten(start_dim=1)
        return self.fc(x)


class EfficientNetStyle(nn.Module):
    """The EfficientNet-PyTorch package's names: _conv_stem, _bn0, _blocks, _conv_head, _fc."""

    def __init__(self) -> None:
        super().__init__()
        self._conv_stem = nn.Conv2d(3, 8, 3, 2, 1, bias=False)
        self._bn0 = nn.BatchNorm2d(8)
        self._blocks = nn.ModuleList([nn.Sequential(nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False), nn.BatchNorm2d(8)) for _ in range(2)])
        self._conv_head = nn.Conv2d(8, 16, 1, bias=False)
        self._bn1 = nn.BatchNorm2d(16)
        self._avg_pooling = nn.AdaptiveAvgPool2d(1)
        self._dropout = nn.Dropout(0.2)
        self._fc = nn.Linear(16, 5)
        self._swish = nn.SiLU()

    def forward(self, inputs):
        x = self._swish(self._bn0(self._conv_stem(inputs)))
        for block in self._blocks:
            x = self._swish(block(x)) + x
        x = self._swish(self._bn1(self._conv_head(x)))
        x = self._avg_pooling(x).flatten(start_dim=1)
        return self._fc(self._dropout(x))


LONG = "the_first_projection_of_the_encoder_stage_that_reads_the_raw_input_pixels"


class OddNames(nn.Module):
    """Children named by keywords, soft keywords, digits, spaces, non-ASCII text and names over 60 characters."""

    def __init__(self) -> None:
        super().__init__()
        self.add_module("class", nn.Linear(4, 8))
        self.add_module("import", nn.Sequential(nn.ReLU(), nn.Linear(8, 8)))
        self.match = nn.LayerNorm(8)
        self.add_module(LONG, nn.Linear(8, 8))
        self.heads = nn.ModuleDict({"lambda": nn.Linear(8, 6), "big head": nn.Linear(6, 6), "größe": nn.Linear(6, 3)})

    def forward(self, x):
        x = getattr(self, "import")(getattr(self, "class")(x))
        x = getattr(self, LONG)(self.match(x))
        return self.heads["größe"](self.heads["big head"](self.heads["lambda"](x)))


# ----- the DCGAN tutorial --------------------------------------------------------------------------
class DCGANGenerator(nn.Module):
    def __init__(self, nz: int = 16, ngf: int = 4, nc: int = 3) -> None:
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 8),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, nc, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, input):
        return self.main(input)


class DCGANDiscriminator(nn.Module):
    def __init__(self, nc: int = 3, ndf: int = 4) -> None:
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, 1, 4, 1, 0, bias=False),
            nn.Sigmoid(),
        )

    def forward(self, input):
        return self.main(input).view(-1, 1).squeeze(1)


# ----- refusals ------------------------------------------------------------------------------------
class Rolling(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x):
        return torch.roll(self.conv(x), 1, dims=2) + torch.flip(x, dims=[3])


class Summing(nn.Module):
    def forward(self, x):
        return torch.cumsum(torch.roll(x, 2, dims=3), dim=1)


class Flipping(nn.Module):
    def forward(self, x):
        return torch.flip(torch.roll(x, -1, dims=2), dims=[2])


class ManyUnsupported(nn.Module):
    """Operations no helper maps (roll, flip, cumsum), spread over three block classes and the model itself."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(Rolling(), Rolling(), Summing(), Flipping(), Rolling())
        self.head = nn.Conv2d(4, 2, 1)

    def forward(self, x):
        return self.head(torch.cumsum(self.features(x), dim=2))


class OneCulprit(nn.Module):
    """Every unsupported operation is inside one class (as timm's BatchNormAct2d once was)."""

    def __init__(self) -> None:
        super().__init__()
        self.stages = nn.Sequential(*[nn.Sequential(nn.Conv2d(4, 4, 1), Rolling()) for _ in range(4)])

    def forward(self, x):
        return self.stages(x)


# ----- token ids -----------------------------------------------------------------------------------
class TokenClassifier(nn.Module):
    """Token ids (int64) in, through an embedding, mean over the sequence, a linear head."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(50, 8)
        self.head = nn.Linear(8, 3)

    def forward(self, tokens):
        return self.head(self.embed(tokens))


# ----- functional calls on a module's own weights --------------------------------------------------
class BatchNormAct2d(nn.BatchNorm2d):
    """timm's BatchNormAct2d, as timm writes it: a BatchNorm2d subclass whose forward calls F.batch_norm."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, act_layer=nn.ReLU) -> None:
        super().__init__(num_features, eps=eps, momentum=momentum)
        self.drop = nn.Identity()
        self.act = act_layer(inplace=True)

    def forward(self, x):
        torch._assert(x.ndim == 4, f"expected 4D input (got {x.ndim}D input)")
        exponential_average_factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
        bn_training = True if self.training else (self.running_mean is None) and (self.running_var is None)
        x = F.batch_norm(
            x,
            self.running_mean if not self.training or self.track_running_stats else None,
            self.running_var if not self.training or self.track_running_stats else None,
            self.weight,
            self.bias,
            bn_training,
            exponential_average_factor,
            self.eps,
        )
        x = self.drop(x)
        return self.act(x)


class LayerNorm2d(nn.LayerNorm):
    """timm's LayerNorm2d idea on a channels-last tensor: F.layer_norm with the module's weight and bias."""

    def forward(self, x):
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)


class ScaledLinear(nn.Linear):
    def forward(self, x):
        return F.linear(x, self.weight, self.bias)


class TimmStyle(nn.Module):
    """A timm-style stem and head: conv + BatchNormAct2d, and norms and linears written functionally."""

    def __init__(self) -> None:
        super().__init__()
        self.conv_stem = nn.Conv2d(3, 8, 3, 2, 1, bias=False)
        self.bn1 = BatchNormAct2d(8, eps=1e-3, act_layer=nn.SiLU)
        self.blocks = nn.Sequential(nn.Conv2d(8, 8, 1), BatchNormAct2d(8))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.norm = LayerNorm2d(8, eps=1e-6)
        self.fc = ScaledLinear(8, 4)

    def forward(self, x):
        x = self.blocks(self.bn1(self.conv_stem(x)))
        return self.fc(self.norm(self.flatten(self.pool(x))))


# ----- the U-Net everyone copies (milesial/Pytorch-UNet) ------------------------------------------
class DoubleConv(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, mid_channels: int | None = None) -> None:
        super().__init__()
        mid_channels = mid_channels or out_channels
        self.double_conv = nn.Sequential(
            nn.Conv2d(in_channels, mid_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(mid_channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid_channels, out_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
        )

    def forward(self, x):
        return self.double_conv(x)


class Down(nn.Module):
    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.maxpool_conv = nn.Sequential(nn.MaxPool2d(2), DoubleConv(in_channels, out_channels))

    def forward(self, x):
        return self.maxpool_conv(x)


class Up(nn.Module):
    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, kernel_size=2, stride=2)
        self.conv = DoubleConv(in_channels, out_channels)

    def forward(self, x1, x2):
        x1 = self.up(x1)
        # input is CHW
        diffY = x2.size()[2] - x1.size()[2]
        diffX = x2.size()[3] - x1.size()[3]
        x1 = F.pad(x1, [diffX // 2, diffX - diffX // 2, diffY // 2, diffY - diffY // 2])
        x = torch.cat([x2, x1], dim=1)
        return self.conv(x)


class UNet(nn.Module):
    def __init__(self, n_channels: int = 3, n_classes: int = 2) -> None:
        super().__init__()
        self.inc = DoubleConv(n_channels, 8)
        self.down1 = Down(8, 16)
        self.down2 = Down(16, 32)
        self.up1 = Up(32, 16)
        self.up2 = Up(16, 8)
        self.outc = nn.Conv2d(8, n_classes, kernel_size=1)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x = self.up1(x3, x2)
        x = self.up2(x, x1)
        return self.outc(x)


# ----- eval-mode stochastic depth (torchvision.ops.stochastic_depth, as repositories vendor it) -----
@torch.fx.wrap
def stochastic_depth(input, p: float, mode: str, training: bool = True):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"drop probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    survival_rate = 1.0 - p
    size = [input.shape[0]] + [1] * (input.ndim - 1) if mode == "row" else [1] * input.ndim
    noise = torch.empty(size, dtype=input.dtype, device=input.device).bernoulli_(survival_rate)
    if survival_rate > 0.0:
        noise.div_(survival_rate)
    return input * noise


class StochasticDepth(nn.Module):
    def __init__(self, p: float, mode: str) -> None:
        super().__init__()
        self.p, self.mode = p, mode

    def forward(self, input):
        return stochastic_depth(input, self.p, self.mode, self.training)


class DeepResidual(nn.Module):
    """A residual stack with stochastic depth and the dropout spellings people use, all idle in eval mode."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(nn.Sequential(nn.Conv2d(4, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU()) for _ in range(3))
        self.drops = nn.ModuleList(StochasticDepth(0.1 * (i + 1), "row") for i in range(3))

    def forward(self, x):
        for block, drop in zip(self.blocks, self.drops):
            x = x + drop(block(x))
        x = torch.dropout(x, 0.1, self.training)
        return F.feature_alpha_dropout(x, 0.2, training=self.training)


# ----- several outputs: chunk, split, unbind --------------------------------------------------------
class GatedChunks(nn.Module):
    """A GLU-style gate (``a, b = h.chunk(2, dim=-1)``), torch.split by a list and by a size, and unbind."""

    def __init__(self) -> None:
        super().__init__()
        self.proj = nn.Linear(6, 10)
        self.out = nn.Linear(6, 3)

    def forward(self, x):
        a, b = self.proj(x).chunk(2, dim=-1)
        h = a * torch.sigmoid(b)
        first, rest = torch.split(h, [2, 3], dim=-1)
        pieces = rest.split(2, 1)
        rows = x.unbind(1)
        top = self.out(torch.cat([pieces[0], pieces[1]], dim=-1)).sum(dim=1)
        return top * first.mean(dim=(1, 2)).unsqueeze(-1) + rows[2].sum(dim=-1, keepdim=True)


# ----- sequence layers -----------------------------------------------------------------------------
class LSTMClassifier(nn.Module):
    """The tutorial's sentiment classifier: embedding, LSTM, the last step's output and h_n into a linear head."""

    def __init__(self) -> None:
        super().__init__()
        self.embedding = nn.Embedding(30, 8)
        self.lstm = nn.LSTM(8, 6, num_layers=2, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(12 + 6, 2)

    def forward(self, tokens):
        out, (h_n, c_n) = self.lstm(self.embedding(tokens))
        return self.fc(torch.cat([out[:, -1, :], h_n[-1]], dim=1))


class GRUTagger(nn.Module):
    """A GRU's per-step output, and a plain RNN's h_n, each read through indexing."""

    def __init__(self) -> None:
        super().__init__()
        self.gru = nn.GRU(4, 5)
        self.rnn = nn.RNN(5, 3, nonlinearity="relu")
        self.head = nn.Linear(3, 2)

    def forward(self, x):
        steps = self.gru(x)[0]
        _, h = self.rnn(steps)
        return self.head(h[0])


class SelfAttentionPool(nn.Module):
    """nn.MultiheadAttention called on (x, x, x) and on a separate query; its weights read too."""

    def __init__(self) -> None:
        super().__init__()
        self.attn = nn.MultiheadAttention(8, 2, batch_first=True)
        self.cross = nn.MultiheadAttention(8, 4, kdim=6, vdim=5, batch_first=True)
        self.query = nn.Linear(8, 8)

    def forward(self, x, k, v):
        out, weights = self.attn(x, x, x)
        pooled, _ = self.cross(self.query(out), k, v, need_weights=False)
        return pooled, weights


class TinyViT(nn.Module):
    """A ViT reduced: patch embedding, a class token and position embedding (nn.Parameter read in forward),
    two encoder layers in a Sequential, the class token's row into the head."""

    def __init__(self) -> None:
        super().__init__()
        self.patch_embed = nn.Conv2d(3, 16, 4, stride=4)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, 16))
        self.pos_embed = nn.Parameter(torch.zeros(1, 17, 16))
        layer = dict(d_model=16, nhead=4, dim_feedforward=32, batch_first=True, norm_first=True)
        self.blocks = nn.Sequential(nn.TransformerEncoderLayer(**layer), nn.TransformerEncoderLayer(**layer, activation="gelu"))
        self.norm = nn.LayerNorm(16)
        self.head = nn.Linear(16, 10)

    def forward(self, x):
        x = self.patch_embed(x).flatten(2).transpose(1, 2)
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat((cls, x), dim=1) + self.pos_embed
        x = self.norm(self.blocks(x))
        return self.head(x[:, 0])


class TinyGPT(nn.Module):
    """Token and position embeddings, encoder layers, a final norm and the language-model head."""

    def __init__(self) -> None:
        super().__init__()
        self.tok = nn.Embedding(40, 16)
        self.pos = nn.Parameter(torch.zeros(1, 12, 16))
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True, norm_first=True) for _ in range(2)
        )
        self.ln_f = nn.LayerNorm(16)
        self.lm_head = nn.Linear(16, 40, bias=False)

    def forward(self, idx):
        x = self.tok(idx) + self.pos[:, : idx.size(1)]
        for layer in self.layers:
            x = layer(x)
        return self.lm_head(self.ln_f(x))


class Seq2Seq(nn.Module):
    """nn.TransformerDecoderLayer on a target and an encoder's memory (sequence first, torch's default)."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.TransformerEncoderLayer(8, 2, 16)
        self.decoder = nn.TransformerDecoderLayer(8, 2, 16)

    def forward(self, src, tgt):
        return self.decoder(tgt, self.encoder(src))


class SELayer(nn.Module):
    """The squeeze-excitation block as SENet's reference code writes it: sizes unpacked from x.size()."""

    def __init__(self, channel: int, reduction: int = 4) -> None:
        super().__init__()
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Sequential(
            nn.Linear(channel, channel // reduction, bias=False), nn.ReLU(inplace=True),
            nn.Linear(channel // reduction, channel, bias=False), nn.Sigmoid(),
        )

    def forward(self, x):
        b, c, _, _ = x.size()
        y = self.avg_pool(x).view(b, c)
        y = self.fc(y).view(b, c, 1, 1)
        return x * y.expand_as(x)


class SENet(nn.Module):
    """Two residual blocks with squeeze-excitation, global mean pooling (x.mean((2, 3))) and a classifier."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(8, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.Conv2d(16, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), SELayer(16)) for _ in range(2)
        )
        self.fc = nn.Linear(16, 4)

    def forward(self, x):
        x = self.stem(x)
        for block in self.blocks:
            x = torch.relu(block(x) + x)
        return self.fc(x.mean((2, 3)))


class MaskedAttention(nn.Module):
    """Attention with a padding mask passed in: the design's layer takes only query, key and value."""

    def __init__(self) -> None:
        super().__init__()
        self.attn = nn.MultiheadAttention(8, 2, batch_first=True)

    def forward(self, x, mask):
        return self.attn(x, x, x, key_padding_mask=mask)[0]


class EncoderStackViT(nn.Module):
    """A ViT written with nn.TransformerEncoder (whose fast-path checks fx cannot follow, so torch.export
    traces it): its layers, the class token and the position embedding keep their names."""

    def __init__(self) -> None:
        super().__init__()
        self.patch = nn.Conv2d(3, 16, 4, 4)
        self.cls_token = nn.Parameter(torch.randn(1, 1, 16))
        self.pos_embedding = nn.Parameter(torch.randn(1, 17, 16))
        self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, 32, batch_first=True), 2)
        self.head = nn.Linear(16, 5)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embedding
        return self.head(self.encoder(x)[:, 0])


class FullTransformer(nn.Module):
    """nn.Transformer itself: an encoder and a decoder stack, each decoder layer reading tgt and memory."""

    def __init__(self) -> None:
        super().__init__()
        self.transformer = nn.Transformer(16, 2, 1, 2, 32, batch_first=True)

    def forward(self, src, tgt):
        return self.transformer(src, tgt)


class NanoGPTStyle(nn.Module):
    """nanoGPT's embeddings: token ids through wte, positions from torch.arange through wpe."""

    def __init__(self) -> None:
        super().__init__()
        self.wte = nn.Embedding(40, 16)
        self.wpe = nn.Embedding(10, 16)
        self.h = nn.ModuleList(nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True, norm_first=True) for _ in range(2))
        self.ln_f = nn.LayerNorm(16)
        self.lm_head = nn.Linear(16, 40, bias=False)

    def forward(self, idx):
        b, t = idx.size()
        pos = torch.arange(0, t, dtype=torch.long, device=idx.device)
        x = self.wte(idx) + self.wpe(pos)
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))


class TimmAttention(nn.Module):
    """timm's ViT attention: one qkv projection, reshape/permute, unbind into q, k, v, then
    F.scaled_dot_product_attention (no mask, no dropout in eval) and the output projection."""

    def __init__(self, dim: int = 16, num_heads: int = 4) -> None:
        super().__init__()
        self.num_heads, self.head_dim = num_heads, dim // num_heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.attn_drop = nn.Dropout(0.1)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        x = F.scaled_dot_product_attention(q, k, v, dropout_p=self.attn_drop.p if self.training else 0.0)
        return self.proj(x.transpose(1, 2).reshape(B, N, C))

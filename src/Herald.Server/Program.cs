using Herald.Server.Hosting;

var builder = WebApplication.CreateBuilder(HeraldCommandLine.Normalize(args));
builder.AddHeraldServer();

var app = builder.Build();
app.MapHeraldServer();
app.Run();
